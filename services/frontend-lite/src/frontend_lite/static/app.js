// frontend-lite: the only script. Pages work without it; it makes the copy
// buttons copy (with a fallback where the Clipboard API is unavailable).
(function () {
  "use strict";
  function announce(text) {
    var region = document.getElementById("announcer");
    if (region) { region.textContent = ""; setTimeout(function () { region.textContent = text; }, 50); }
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  function copied(button, ok) {
    announce(ok ? "Copied to the clipboard" : "Could not copy; select the text instead");
    if (button.classList.contains("icon")) {
      // The icon stays; its state shows in colour and in the announcement.
      button.classList.add(ok ? "copied" : "failed");
      setTimeout(function () { button.classList.remove("copied", "failed"); }, 1500);
      return;
    }
    var label = button.textContent;
    button.textContent = ok ? "Copied" : "Copy failed";
    setTimeout(function () { button.textContent = label; }, 1500);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) { return; }
    var text = button.getAttribute("data-copy");
    if (text === null) {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      if (!source) { return; }
      text = source.textContent.trim();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { copied(button, true); },
        function () { copied(button, fallbackCopy(text)); }
      );
    } else {
      copied(button, fallbackCopy(text));
    }
  });
})();
