"""The label that marks a service in dev mode: its compose entry, and so its container, carries
the checkout it runs from. `scicatlive status` reads it from the containers it inspects anyway."""

DEV_LABEL = "io.scicatlive.dev"
