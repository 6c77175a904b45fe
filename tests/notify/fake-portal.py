#!/usr/bin/python3
"""A small stand-in for xdg-desktop-portal on a private session bus (tests only).

org.freedesktop.portal.Notification (version 1): AddNotification / RemoveNotification, recorded in
the file given by --log (one JSON line per call); the test can make it emit ActionInvoked.
org.freedesktop.portal.Background: RequestBackground answers through a Request object's Response
signal, with the answer given by --background (allow | deny | cancel).
Usage: fake-portal.py --log FILE --background deny
"""
import argparse
import json

import dbus
import dbus.lowlevel
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

BUS_NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
NOTIFICATION = "org.freedesktop.portal.Notification"
BACKGROUND = "org.freedesktop.portal.Background"
REQUEST = "org.freedesktop.portal.Request"
PROPERTIES = "org.freedesktop.DBus.Properties"


def plain(value):
    """dbus-python values as JSON-able ones."""
    if isinstance(value, (dbus.Dictionary, dict)):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (dbus.Array, list, dbus.Struct, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (dbus.Int32, dbus.UInt32, dbus.Int64, dbus.UInt64, dbus.Byte, int)):
        return int(value)
    if isinstance(value, dbus.Double):
        return float(value)
    return str(value)


class Request(dbus.service.Object):
    @dbus.service.method(REQUEST, in_signature="", out_signature="")
    def Close(self):
        pass


class Portal(dbus.service.Object):
    def __init__(self, bus, log, background):
        super().__init__(bus, PATH)
        self.bus = bus
        self.log = log
        self.background = background
        self.requests = []

    def record(self, entry):
        with open(self.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    @dbus.service.method(PROPERTIES, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return self.GetAll(interface)[name]

    @dbus.service.method(PROPERTIES, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        if interface in (NOTIFICATION, BACKGROUND):
            return dbus.Dictionary({"version": dbus.UInt32(1)}, signature="sv")
        return dbus.Dictionary({}, signature="sv")

    @dbus.service.method(NOTIFICATION, in_signature="sa{sv}", out_signature="")
    def AddNotification(self, nid, notification):
        self.record({"call": "AddNotification", "id": str(nid), "notification": plain(notification)})

    @dbus.service.method(NOTIFICATION, in_signature="s", out_signature="")
    def RemoveNotification(self, nid):
        self.record({"call": "RemoveNotification", "id": str(nid)})

    @dbus.service.signal(NOTIFICATION, signature="ssav")
    def ActionInvoked(self, nid, action, parameter):
        pass

    @dbus.service.method(BACKGROUND, in_signature="sa{sv}", out_signature="o", sender_keyword="sender")
    def RequestBackground(self, parent_window, options, sender=None):
        token = str(options.get("handle_token", "t"))
        path = "/org/freedesktop/portal/desktop/request/%s/%s" % (sender[1:].replace(".", "_"), token)
        request = Request(self.bus, path)
        self.requests.append(request)
        self.record({"call": "RequestBackground", "options": plain(options), "handle": path})
        if self.background == "allow":
            answer = (0, {"background": dbus.Boolean(True), "autostart": dbus.Boolean(False)})
        elif self.background == "cancel":
            answer = (1, {})
        else:
            answer = (0, {"background": dbus.Boolean(False), "autostart": dbus.Boolean(False)})
        # the answer comes after the method's reply, as from the real portal's dialog, and like the real
        # portal's it is sent to the caller alone (a unicast signal)
        GLib.timeout_add(50, self.respond, sender, path, *answer)
        return dbus.ObjectPath(path)

    def respond(self, destination, path, response, results):
        message = dbus.lowlevel.SignalMessage(path, REQUEST, "Response")
        message.set_destination(destination)
        message.append(dbus.UInt32(response), dbus.Dictionary(results, signature="sv"), signature="ua{sv}")
        self.bus.send_message(message)
        return False

    @dbus.service.method("org.freedesktop.DBus.Mock", in_signature="ss", out_signature="")
    def InvokeAction(self, nid, action):
        """Tests: the user clicked @action on notification @nid."""
        self.ActionInvoked(nid, action, dbus.Array([], signature="v"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--background", default="deny", choices=["allow", "deny", "cancel"])
    args = parser.parse_args()
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    portal = Portal(bus, args.log, args.background)
    name = dbus.service.BusName(BUS_NAME, bus)  # noqa: F841 (kept while we run)
    GLib.MainLoop().run()
    del portal, name


if __name__ == "__main__":
    main()
