"""JupyterLab as a stack service: every interface inside the container, a token from the stack.

The token comes from ``JUPYTER_TOKEN`` (a per-stack secret); the host publishes the
port on loopback only, so binding all interfaces here reaches nothing else.
"""

import os

c = get_config()  # noqa: F821 - injected by Jupyter's config loader

c.ServerApp.ip = "0.0.0.0"
c.ServerApp.port = int(os.environ.get("JUPYTER_PORT", "8888"))
c.ServerApp.open_browser = False
c.ServerApp.root_dir = "/home/app/work"
# Without a token Jupyter would serve anyone who reaches the port: refuse to start instead.
if not os.environ.get("JUPYTER_TOKEN"):
    raise SystemExit("jupyter: JUPYTER_TOKEN is not set; the stack generates it (secrets.jupyter_token)")
