"""Play MXCuBE's py-ISPyB calls through mxcubecore's own adapter classes.

``plan`` (parameters) and ``host`` (running the driver from another environment)
need only the standard library; ``driver`` needs mxcubecore (see the README).
"""
