"""After the shot: UI-free jobs reached from the kiosk only through the plugin hooks.

The third floor of the house (camera → coaching → delivery → kiosk): it may import
camera and coaching, never kiosk. :mod:`delivery.hooks` holds the hook specifications
and the plain data they pass; each built-in plugin (retention first) is one module.
"""
