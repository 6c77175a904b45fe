#!/usr/bin/python3
"""Notifications and background running of wevion-jobs, end to end (TAP).

A real wevion-hub, the real wevion-jobs under X, and python-dbusmock's notification_daemon template
on a private session bus (run-test-notify.sh starts the bus); a second private bus stands in for the
system bus with dbusmock's logind (PrepareForSleep), and fake-portal.py stands in for
xdg-desktop-portal (notification and Background portals) in the sandbox scenario. Jobs are made to finish one at a time
with the hub's stall-queue fault: submit while the queue is stalled, wait until the app has listed
the job as active, then let the worker go. A "[hold]" job stays processing all along so the app
keeps polling the active list (and so sees jobs submitted from here).
"""
import ctypes
import ctypes.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

import dbus
import dbus.bus

BUILD = os.environ.get("WEVION_BUILD_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "_build"))
HUB = os.path.join(BUILD, "src", "hub", "wevion-hub")
APP = os.path.join(BUILD, "src", "app", "wevion-jobs")
APP_ID = "com.wevion.Jobs"
TOKEN = "demo-token"
API = "/api/v1/creative-hub"
# build-aux/test.sh scales the deadlines in its sanitizer phase, where the app starts several times slower
DEADLINE = 20.0 * float(os.environ.get("WEVION_TEST_TIMEOUT_MULTIPLIER", "1"))
NO_DETAILS = "The provider reported no details. This is usually an upstream issue; retry once."

# ---- TAP ---------------------------------------------------------------------------------------

n_tests = 0
n_failed = 0


def ok(cond, name, diag=None):
    global n_tests, n_failed
    n_tests += 1
    if not cond:
        n_failed += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n_tests, name), flush=True)
    if not cond and diag is not None:
        for line in str(diag).splitlines():
            print("# " + line, flush=True)
    return cond


def note(text):
    for line in str(text).splitlines():
        print("# " + line, flush=True)


def wait_for(what, predicate, timeout=DEADLINE, step=0.05):
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise TimeoutError("timed out waiting for " + what)
        time.sleep(step)


# ---- the hub -----------------------------------------------------------------------------------


class Hub:
    def __init__(self, tmp):
        self.db = os.path.join(tmp, "hub.db")
        self.log = open(os.path.join(tmp, "hub.log"), "w")
        self.proc = None
        self.url = None
        self.port = 0
        self.users = []  # NAME:TOKEN beside the demo user, for the next start

    def start(self, faults=None):
        args = [HUB, "--port", str(self.port), "--db", self.db, "--speed", "50", "--workers", "8"]
        if faults:
            args += ["--faults", faults]
        for user in self.users:
            args += ["--user", user]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError("wevion-hub did not start: %r" % line)
        self.url = line.split("listening on", 1)[1].strip()
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        self.proc = None

    def request(self, method, path, body=None, admin=False, raw=None, token=TOKEN):
        data = raw.encode() if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if not admin:
            req.add_header("Authorization", "Bearer " + token)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as answer:
            text = answer.read().decode()
            return json.loads(text) if text else None

    def submit(self, prompt, type_="image", provider="flux_2_pro", token=TOKEN):
        answer = self.request("POST", API + "/generate/" + type_,
                              {"provider": provider, "prompt": prompt, "settings": {"width": 64, "height": 64}},
                              token=token)
        return answer["job_id"]

    def job(self, job_id, token=TOKEN):
        return self.request("GET", API + "/generate/jobs/" + job_id, token=token)

    def jobs(self):
        answer = self.request("GET", API + "/generate/jobs?limit=500")
        return answer["jobs"] if isinstance(answer, dict) else answer

    def cancel(self, job_id):
        self.request("POST", API + "/generate/jobs/%s/cancel" % job_id)

    def faults(self, spec):
        self.request("POST", "/admin/faults", admin=True, raw=spec)

    def stats(self):
        return self.request("GET", "/admin/stats", admin=True)

    def list_requests(self):
        return self.stats()["routes"].get("list", {}).get("requests", 0)


# ---- the notification daemon mock -------------------------------------------------------------


class Daemon:
    def __init__(self, tmp):
        self.log = open(os.path.join(tmp, "dbusmock.log"), "w")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", "-m", "dbusmock", "--template", "notification_daemon",
             "-p", json.dumps({"capabilities": "body actions"})],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.bus = dbus.SessionBus()
        wait_for("the notification daemon mock",
                 lambda: self.bus.name_has_owner("org.freedesktop.Notifications"))
        obj = self.bus.get_object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
        self.mock = dbus.Interface(obj, "org.freedesktop.DBus.Mock")
        self.notifications = dbus.Interface(obj, "org.freedesktop.Notifications")

    def notify_calls(self):
        """Every Notify call so far, in order, as dicts with the id the mock answered."""
        calls = []
        next_id = 1
        for _, method, args in self.mock.GetCalls():
            if method != "Notify":
                continue
            replaces = int(args[1])
            if replaces:
                nid = replaces
            else:
                nid = next_id
                next_id += 1
            actions = [str(a) for a in args[5]]
            calls.append({
                "id": nid, "replaces": replaces, "app_name": str(args[0]), "icon": str(args[2]),
                "summary": str(args[3]), "body": str(args[4]),
                "actions": dict(zip(actions[0::2], actions[1::2])),
                "action_order": actions[0::2],
                "hints": {str(k): v for k, v in args[6].items()},
            })
        return calls

    def invoke(self, nid, action):
        self.mock.EmitSignal("org.freedesktop.Notifications", "ActionInvoked", "us",
                             [dbus.UInt32(nid), action])

    def close(self, nid):
        self.notifications.CloseNotification(dbus.UInt32(nid))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


# ---- X11: find the app's windows and ask one to close, as a window manager's close button does --


class X11:
    class ClientMessage(ctypes.Structure):
        _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                    ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                    ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                    ("data", ctypes.c_long * 5)]

    def __init__(self):
        lib = ctypes.CDLL(ctypes.util.find_library("X11"))
        lib.XOpenDisplay.restype = ctypes.c_void_p
        lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        lib.XDefaultRootWindow.restype = ctypes.c_ulong
        lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        lib.XInternAtom.restype = ctypes.c_ulong
        lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                                   ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                                   ctypes.POINTER(ctypes.c_uint)]
        lib.XGetWindowProperty.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
            ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))]
        lib.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
        lib.XFlush.argtypes = [ctypes.c_void_p]
        lib.XFree.argtypes = [ctypes.c_void_p]
        lib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.lib = lib
        # A window can vanish between XQueryTree and a property read (the app closes its own windows):
        # Xlib's default handler would exit the whole test on that BadWindow, so errors are ignored
        # and the read simply finds nothing.
        handler_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
        self._error_handler = handler_type(lambda display, event: 0)
        lib.XSetErrorHandler.restype = ctypes.c_void_p
        lib.XSetErrorHandler.argtypes = [handler_type]
        lib.XSetErrorHandler(self._error_handler)
        self.dpy = lib.XOpenDisplay(None)
        if not self.dpy:
            raise RuntimeError("cannot open the X display %s" % os.environ.get("DISPLAY"))
        self.root = lib.XDefaultRootWindow(self.dpy)
        self.atom_pid = lib.XInternAtom(self.dpy, b"_NET_WM_PID", 0)
        self.atom_protocols = lib.XInternAtom(self.dpy, b"WM_PROTOCOLS", 0)
        self.atom_delete = lib.XInternAtom(self.dpy, b"WM_DELETE_WINDOW", 0)
        self.atom_state = lib.XInternAtom(self.dpy, b"WM_STATE", 0)

    def _pid_of(self, window):
        actual_type = ctypes.c_ulong()
        actual_format = ctypes.c_int()
        n_items = ctypes.c_ulong()
        after = ctypes.c_ulong()
        data = ctypes.POINTER(ctypes.c_ubyte)()
        status = self.lib.XGetWindowProperty(self.dpy, window, self.atom_pid, 0, 1, 0, 6,  # XA_CARDINAL
                                             ctypes.byref(actual_type), ctypes.byref(actual_format),
                                             ctypes.byref(n_items), ctypes.byref(after), ctypes.byref(data))
        pid = None
        if status == 0 and n_items.value == 1 and actual_format.value == 32:
            pid = ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))[0]
        if data:
            self.lib.XFree(data)
        return pid

    def _mapped(self, window):
        class Attrs(ctypes.Structure):
            _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int),
                        ("height", ctypes.c_int), ("border_width", ctypes.c_int), ("depth", ctypes.c_int),
                        ("visual", ctypes.c_void_p), ("root", ctypes.c_ulong), ("class_", ctypes.c_int),
                        ("bit_gravity", ctypes.c_int), ("win_gravity", ctypes.c_int),
                        ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
                        ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int),
                        ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
                        ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                        ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                        ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]
        attrs = Attrs()
        self.lib.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(Attrs)]
        if not self.lib.XGetWindowAttributes(self.dpy, window, ctypes.byref(attrs)):
            return False
        return attrs.map_state == 2 and not attrs.override_redirect  # IsViewable

    def title(self, window):
        """_NET_WM_NAME of @window (UTF-8), or ""."""
        actual_type = ctypes.c_ulong()
        actual_format = ctypes.c_int()
        n_items = ctypes.c_ulong()
        after = ctypes.c_ulong()
        data = ctypes.POINTER(ctypes.c_ubyte)()
        name = self.lib.XInternAtom(self.dpy, b"_NET_WM_NAME", 0)
        utf8 = self.lib.XInternAtom(self.dpy, b"UTF8_STRING", 0)
        status = self.lib.XGetWindowProperty(self.dpy, window, name, 0, 1024, 0, utf8, ctypes.byref(actual_type),
                                             ctypes.byref(actual_format), ctypes.byref(n_items),
                                             ctypes.byref(after), ctypes.byref(data))
        text = ""
        if status == 0 and data and n_items.value:
            text = ctypes.string_at(data, n_items.value).decode("utf-8", "replace")
        if data:
            self.lib.XFree(data)
        return text

    def windows_of(self, pid):
        """Top-level windows of process @pid that are on screen."""
        self.lib.XSync(self.dpy, 0)
        root_ret = ctypes.c_ulong()
        parent_ret = ctypes.c_ulong()
        children = ctypes.POINTER(ctypes.c_ulong)()
        n = ctypes.c_uint()
        if not self.lib.XQueryTree(self.dpy, self.root, ctypes.byref(root_ret), ctypes.byref(parent_ret),
                                   ctypes.byref(children), ctypes.byref(n)):
            return []
        found = [children[i] for i in range(n.value)]
        if children:
            self.lib.XFree(children)
        return [w for w in found if self._pid_of(w) == pid and self._mapped(w)]

    def close(self, window):
        event = (ctypes.c_long * 24)()
        message = X11.ClientMessage.from_buffer(event)
        message.type = 33  # ClientMessage
        message.send_event = 1
        message.display = self.dpy
        message.window = window
        message.message_type = self.atom_protocols
        message.format = 32
        message.data[0] = self.atom_delete
        message.data[1] = 0  # CurrentTime
        self.lib.XSendEvent(self.dpy, window, 0, 0, ctypes.byref(event))
        self.lib.XFlush(self.dpy)


# ---- the app -----------------------------------------------------------------------------------


def app_env(tmp):
    env = dict(os.environ)
    env.update({
        "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
        "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
        "XDG_DATA_HOME": os.path.join(tmp, "data"),
        "GSETTINGS_BACKEND": "keyfile",
        "WEVION_TOKEN": TOKEN,
        "WEVION_POLL_INTERVAL_MS": "250",
        "WEVION_OPEN_URI_LOG": os.path.join(tmp, "opened-uris"),
        "WEVION_WINDOW_SIZE": "1000x700",
        "GDK_BACKEND": "x11",
        "GSK_RENDERER": "cairo",
        "NO_AT_BRIDGE": "1",
        "GTK_A11Y": "none",
        "G_MESSAGES_DEBUG": "all",
    })
    env.pop("WAYLAND_DISPLAY", None)
    return env


def settings_path(tmp):
    return os.path.join(tmp, "config", "glib-2.0", "settings", "keyfile")


def write_settings(tmp, **values):
    path = os.path.join(tmp, "config", "glib-2.0", "settings")
    os.makedirs(path, exist_ok=True)
    # downloads land in the test's own folder unless a scenario names another
    values.setdefault("download_folder", os.path.join(tmp, "downloads"))
    with open(os.path.join(path, "keyfile.new"), "w") as f:
        f.write("[com/wevion/Jobs]\n")
        for key, value in values.items():
            f.write("%s=%s\n" % (key.replace("_", "-"), json.dumps(value)))
    # renamed into place: the app's keyfile backend sees one change, never half a file
    os.replace(os.path.join(path, "keyfile.new"), os.path.join(path, "keyfile"))


def seen_by_app(hub):
    """Returns once the app has listed the active jobs at least once after now: two list requests
    have completed, so the second started after this call."""
    start = hub.list_requests()
    wait_for("the app to poll the active jobs", lambda: hub.list_requests() >= start + 2)


def finish_one(hub, prompt, **kw):
    """Submits @prompt with the queue stalled, waits until the app knows it, lets it run to its end."""
    hub.faults("stall-queue")
    job_id = hub.submit(prompt, **kw)
    seen_by_app(hub)
    hub.faults("none")
    wait_for("job %s to end on the hub" % job_id,
             lambda: hub.job(job_id)["status"] in ("completed", "failed"))
    return job_id


def files_in(folder):
    """The finished files in @folder (no hidden ".part" files), or [] when it does not exist yet."""
    if not os.path.isdir(folder):
        return []
    return sorted(f for f in os.listdir(folder) if not f.startswith(".") and os.path.getsize(os.path.join(folder, f)))


def log_since(path, offset):
    with open(path, errors="replace") as f:
        f.seek(offset)
        return f.read()


def owner_pid(daemon):
    """The pid of the process that owns APP_ID on the session bus, or None."""
    bus = dbus.Interface(daemon.bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"), "org.freedesktop.DBus")
    try:
        return int(bus.GetConnectionUnixProcessID(bus.GetNameOwner(APP_ID)))
    except dbus.exceptions.DBusException:
        return None


def start_app(env, app_log, hub, x11, daemon):
    """A new primary instance. The one before may have exited a moment ago with the bus not yet
    aware: the name must be free first, or the new process would hand over to it (or to one the bus
    starts by activation) and exit."""
    wait_for("the last instance to leave the bus", lambda: not daemon.bus.name_has_owner(APP_ID))
    app = subprocess.Popen([APP, "--server", hub.url], env=env, stdout=app_log, stderr=subprocess.STDOUT)
    wait_for("the app on the bus", lambda: owner_pid(daemon) == app.pid or app.poll() is not None)
    if app.poll() is not None:
        raise RuntimeError("wevion-jobs exited at start (%s), owner now %s" % (app.returncode, owner_pid(daemon)))
    wait_for("the app's window", lambda: x11.windows_of(app.pid) or app.poll() is not None)
    return app


def close_windows(x11, pid):
    for w in x11.windows_of(pid):
        x11.close(w)
    wait_for("the window to close", lambda: not x11.windows_of(pid))


def job_gets(hub):
    return hub.stats()["routes"].get("job", {}).get("requests", 0)


def end_hold_job(hub, hold_id):
    """Cancels the job that kept the app polling; returns once the app has asked how it ended."""
    gets = job_gets(hub)
    hub.cancel(hold_id)
    wait_for("the app to learn the hold job ended", lambda: job_gets(hub) > gets)


def start_hold_job(hub, what):
    hold_id = hub.submit("[hold] " + what, provider="sdxl_turbo")
    wait_for("the hold job to run", lambda: hub.job(hold_id)["status"] == "processing")
    return hold_id


def notifications_for(daemon, needle, since=0):
    return [c for c in daemon.notify_calls()[since:] if needle in c["body"]]


def wait_notification(daemon, needle, since=0):
    return wait_for("a notification about %r" % needle, lambda: notifications_for(daemon, needle, since))[0]


def quiet(hub, ticks=4):
    """Lets the app poll a few more times, so a late duplicate would have shown up."""
    for _ in range(ticks // 2):
        seen_by_app(hub)
    time.sleep(2 * 0.3)  # longer than the notifier's batch window


# ---- the tests ---------------------------------------------------------------------------------


class SystemBus:
    """A private bus standing in for the system bus, with dbusmock's logind on it."""

    def __init__(self, tmp):
        self.log = open(os.path.join(tmp, "logind.log"), "w")
        self.daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                                       stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.address = self.daemon.stdout.readline().strip()
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        self.logind = subprocess.Popen(["/usr/bin/python3", "-m", "dbusmock", "--system", "--template", "logind"],
                                       env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.bus = dbus.bus.BusConnection(self.address)
        wait_for("the logind mock", lambda: self.bus.name_has_owner("org.freedesktop.login1"))
        self.mock = dbus.Interface(self.bus.get_object("org.freedesktop.login1", "/org/freedesktop/login1"),
                                   "org.freedesktop.DBus.Mock")

    def prepare_for_sleep(self, going):
        self.mock.EmitSignal("org.freedesktop.login1.Manager", "PrepareForSleep", "b", [dbus.Boolean(going)])

    def stop(self):
        for proc in (self.logind, self.daemon):
            proc.terminate()
            proc.wait(10)


def one_notification_left(tmp, hub, daemon, x11, env, app_log, prompt):
    """Starts the app, lets a job with @prompt finish, closes the window and ends the job that kept
    the app polling: the notification about @prompt is all that holds the app. Returns (app, it)."""
    for c in daemon.notify_calls():
        daemon.close(c["id"])
    hold_id = start_hold_job(hub, "until the notification is up")
    app = start_app(env, app_log, hub, x11, daemon)
    mark = len(daemon.notify_calls())
    job_id = finish_one(hub, prompt)
    notification = wait_notification(daemon, prompt.split("] ", 1)[1], mark)
    close_windows(x11, app.pid)
    end_hold_job(hub, hold_id)
    time.sleep(0.5)
    return app, notification, job_id


def scenario_quit_on_close(tmp, hub, daemon, x11, env, app_log):
    """--quit-on-close (build-aux/demo.sh uses it): the window closes, the app ends, even with a job
    running that would otherwise keep it."""
    write_settings(tmp, notify_when_focused=True, run_in_background=False)
    hold_id = start_hold_job(hub, "keeps a demo running")
    wait_for("the last instance to leave the bus", lambda: not daemon.bus.name_has_owner(APP_ID))
    demo = subprocess.Popen([APP, "--server", hub.url, "--quit-on-close"], env=env, stdout=app_log,
                            stderr=subprocess.STDOUT)
    try:
        wait_for("the window", lambda: x11.windows_of(demo.pid) or demo.poll() is not None)
        seen_by_app(hub)  # it knows the job is running, which would hold it
        close_windows(x11, demo.pid)
        rc = wait_for("the app to exit", lambda: demo.poll() is not None or None, timeout=DEADLINE)
        ok(demo.returncode == 0, "--quit-on-close: closing the window ends the app though a job is active", rc)
    finally:
        if demo.poll() is None:
            demo.kill()
        hub.cancel(hold_id)


def scenario_buttons_window_closed(tmp, hub, daemon, x11, env, app_log):
    """A button pressed on a notification while the window is closed and nothing else holds the app:
    the daemon closes the notification at once (as real ones do), and the work must still finish."""
    downloads = os.path.join(tmp, "downloads-closed")
    write_settings(tmp, notify_when_focused=True, download_folder=downloads)
    app, done, _ = one_notification_left(tmp, hub, daemon, x11, env, app_log, "[ok] download me, window closed")
    try:
        ok(app.poll() is None, "window closed, nothing active: an open notification keeps the app for its buttons")
        daemon.invoke(done["id"], "download-job")
        daemon.close(done["id"])
        rc = wait_for("the app to exit", lambda: app.poll() is not None or None)
        ok(files_in(downloads), "Download pressed with the window closed: the file is saved, though the "
           "notification closed at once", files_in(downloads))
        ok(app.returncode == 0, "then, with nothing left, the app exits by itself", rc)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)

    app, failed, fail_id = one_notification_left(tmp, hub, daemon, x11, env, app_log, "[fail] retry me, window closed")
    try:
        mark = len(daemon.notify_calls())
        daemon.invoke(failed["id"], "retry-job")
        daemon.close(failed["id"])
        retry = wait_for("the retry on the hub", lambda: [j for j in hub.jobs() if j["metadata"].get("retry_of")
                                                          == fail_id] or app.poll() is not None)
        ok(isinstance(retry, list) and len(retry) == 1, "Retry pressed with the window closed reaches the hub", retry)
        again = wait_for("the retry's own notification",
                         lambda: notifications_for(daemon, "retry me", mark) or app.poll() is not None)
        ok(isinstance(again, list) and again[0]["summary"] == "Image failed",
           "the app watches the retry to its end and announces it", again)
        if isinstance(again, list):
            daemon.close(again[0]["id"])
        rc = wait_for("the app to exit", lambda: app.poll() is not None or None)
        ok(app.returncode == 0, "then, with nothing left, the app exits by itself", rc)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)


def scenario_token_refused(tmp, hub, daemon, x11, env, app_log):
    """The poller stops for good when the token is refused: active jobs must not hold the app forever.
    The hub restarts without the user whose token the app has, as when a token is revoked."""
    for c in daemon.notify_calls():
        daemon.close(c["id"])
    write_settings(tmp, notify_when_focused=True)
    other = "other-token"
    hub.users = ["other:" + other]
    hub.stop()
    hub.start()
    hold_id = hub.submit("[hold] while the token is refused", provider="sdxl_turbo", token=other)
    wait_for("the hold job to run", lambda: hub.job(hold_id, token=other)["status"] == "processing")
    log_path = os.path.join(tmp, "app.log")
    since = os.path.getsize(log_path)
    app = start_app(dict(env, WEVION_TOKEN=other, XDG_CACHE_HOME=os.path.join(tmp, "cache-other")), app_log, hub,
                    x11, daemon)
    try:
        # its first answers (the list requests are counted as they come, not as they are answered)
        wait_for("the app to hold itself for the active job", lambda: "Holding the application" in log_since(log_path, since))
        close_windows(x11, app.pid)
        time.sleep(0.5)
        ok(app.poll() is None, "an active job keeps the app polling with the window closed")
        mark = len(daemon.notify_calls())
        hub.users = []
        hub.stop()
        hub.start()  # the same port; the app's token is unknown now: 401
        told = wait_for("the notification about the token", lambda: notifications_for(daemon, "token", mark)
                        or app.poll() is not None)
        ok(isinstance(told, list), "the refused token is told by a notification (no window to show it)", told)
        if isinstance(told, list):
            daemon.close(told[0]["id"])
        rc = wait_for("the app to exit", lambda: app.poll() is not None or None)
        ok(app.returncode == 0, "the refused token ends the hold: the app exits though a job is still active", rc)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)


def scenario_portals(tmp, hub, daemon, x11, env, app_log):
    """Inside a sandbox: libnotify uses the notification portal (and warns "confined mode", which must
    not abort the app under G_DEBUG=fatal-warnings); the Background portal refuses run-in-background."""
    for c in daemon.notify_calls():
        daemon.close(c["id"])
    portal_log = os.path.join(tmp, "portal.log")
    portal = subprocess.Popen(["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                "fake-portal.py"),
                               "--log", portal_log, "--background", "deny"], stdout=app_log, stderr=subprocess.STDOUT)
    hold_id = None
    app = None
    try:
        wait_for("the fake portal", lambda: daemon.bus.name_has_owner("org.freedesktop.portal.Desktop"))
        write_settings(tmp, notify_when_focused=True, run_in_background=True)
        hold_id = start_hold_job(hub, "inside the sandbox")
        penv = dict(env, NOTIFY_FORCE_PORTAL="1", WEVION_TEST_SANDBOXED="1", G_DEBUG="fatal-warnings")
        app = start_app(penv, app_log, hub, x11, daemon)

        def calls(name):
            if not os.path.exists(portal_log):
                return []
            with open(portal_log) as f:
                return [c for c in (json.loads(line) for line in f if line.strip()) if c["call"] == name]

        asked = wait_for("RequestBackground", lambda: calls("RequestBackground"))
        ok(asked[0]["options"].get("reason"), "run-in-background inside Flatpak asks the Background portal, "
           "with a reason", asked)
        wait_for("run-in-background to be turned off",
                 lambda: "run-in-background=true" not in open(settings_path(tmp)).read())
        ok("run-in-background=false" in open(settings_path(tmp)).read(),
           "the portal refused: run-in-background is turned back off", open(settings_path(tmp)).read())

        mark = len(daemon.notify_calls())
        finish_one(hub, "[ok] told through the notification portal")
        added = wait_for("AddNotification on the portal",
                         lambda: [c for c in calls("AddNotification")
                                  if "notification portal" in c["notification"].get("body", "")]
                         or app.poll() is not None)
        ok(isinstance(added, list) and added[0]["notification"].get("title") == "Image ready",
           "NOTIFY_FORCE_PORTAL: the notification goes through the portal", added)
        ok(not notifications_for(daemon, "notification portal", mark), "and not to the notification daemon")
        ok(app.poll() is None, "libnotify's confined-mode warning does not abort the app (G_DEBUG=fatal-warnings)",
           app.poll())
        with open(os.path.join(tmp, "app.log"), errors="replace") as f:
            text = f.read()
        ok("Running in confined mode" in text, "(libnotify did warn about confined mode)")
        ok("refused running in the background" in text, "the refusal is logged in words")
        subprocess.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path", "/com/wevion/Jobs",
                        "--method", "org.freedesktop.Application.ActivateAction", "quit", "[]", "{}"],
                       stdout=subprocess.DEVNULL, timeout=DEADLINE)
        app.wait(DEADLINE)
        ok(app.returncode == 0, "and it quits cleanly", app.returncode)
    finally:
        if hold_id:
            hub.cancel(hold_id)
        if app and app.poll() is None:
            app.kill()
            app.wait(10)
        portal.terminate()
        portal.wait(10)


def run(tmp):
    system_bus = SystemBus(tmp)
    # every wevion-jobs started from here finds logind on this bus
    os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = system_bus.address
    daemon = Daemon(tmp)
    hub = Hub(tmp)
    hub.start()
    x11 = X11()
    write_settings(tmp, notify_when_focused=False)  # the default
    env = app_env(tmp)

    hold_id = hub.submit("[hold] keeps the app polling the active list", provider="sdxl_turbo")
    wait_for("the hold job to run", lambda: hub.job(hold_id)["status"] == "processing")

    app_log = open(os.path.join(tmp, "app.log"), "w")
    app = subprocess.Popen([APP, "--server", hub.url], env=env, stdout=app_log, stderr=subprocess.STDOUT)
    try:
        wait_for("the app on the bus", lambda: daemon.bus.name_has_owner(APP_ID))
        wait_for("the app's window", lambda: x11.windows_of(app.pid))
        ok(True, "the app starts, owns %s and shows a window" % APP_ID)

        # -- the window has the focus (this X server has no other window): a toast instead --
        finish_one(hub, "[ok] finished while the window has the focus")
        quiet(hub)
        write_settings(tmp, notify_when_focused=True, notify_completed=False)
        finish_one(hub, "[fail] first proof that the settings changed")
        wait_notification(daemon, "first proof")  # notify-when-focused is on now
        finish_one(hub, "[ok] completed with notify-completed off")
        quiet(hub)
        finish_one(hub, "[fail] second proof")
        wait_notification(daemon, "second proof")  # the job before it was handled too
        ok(not notifications_for(daemon, "has the focus"),
           "window focused: no desktop notification (a toast instead)", daemon.notify_calls())
        ok(not notifications_for(daemon, "notify-completed off"), "notify-completed off: no notification")
        ok(len(daemon.notify_calls()) == 2, "notify-when-focused on: desktop notifications while focused")
        write_settings(tmp, notify_when_focused=True)
        time.sleep(0.3)

        # -- a job completing: one notification, right words, buttons and hints --
        prompt = '[ok] a <b>bold</b> fox & <a href="https://evil.example/">a link</a> in the snow'
        mark = len(daemon.notify_calls())
        done_id = finish_one(hub, prompt)
        done = wait_notification(daemon, "bold", mark)
        quiet(hub)
        mine = [c for c in daemon.notify_calls()[mark:] if "fox" in c["body"]]
        ok(len(mine) == 1, "a completed job raises exactly one notification", mine)
        ok(done["summary"] == "Image ready", "completed: summary names the type", done["summary"])
        ok("flux_2_pro" in done["body"], "completed: body has the provider", done["body"])
        job = hub.job(done_id)
        ok("$0.%02d" % job["cost_cents"] in done["body"] or "%d" % job["cost_cents"] in done["body"],
           "completed: body has the cost", done["body"])
        ok(" s" in done["body"] or "min" in done["body"], "completed: body has the duration", done["body"])
        ok("&lt;b&gt;bold&lt;/b&gt;" in done["body"] and "<b>" not in done["body"] and "<a " not in done["body"]
           and "&amp;" in done["body"], "completed: server text is escaped markup", done["body"])
        ok(done["action_order"] == ["default", "download-job", "use-in-campaign"]
           and done["actions"]["download-job"] == "Download"
           and done["actions"]["use-in-campaign"] == "Use in Campaign",
           "completed: default action, Download and Use in Campaign", done["actions"])
        ok(str(done["hints"].get("desktop-entry")) == APP_ID and done["app_name"] == APP_ID,
           "completed: app name and desktop-entry hint", (done["app_name"], done["hints"]))
        image = str(done["hints"].get("image-path", ""))
        ok(image.startswith("file://") and os.path.exists(urllib.request.url2pathname(image[7:])),
           "completed: the thumbnail as image-path", image)

        long_prompt = "[ok] " + "very long prompt words " * 10
        mark = len(daemon.notify_calls())
        finish_one(hub, long_prompt)
        long_note = wait_notification(daemon, "very long", mark)
        quoted = long_note["body"].split("\n")[0]
        ok(len(quoted.strip("“”")) <= 80 and quoted.endswith("…”"),
           "the prompt excerpt is at most 80 characters", quoted)

        # -- failures: the message, Retry; moderation: Edit Prompt; empty message: the seed's words --
        mark = len(daemon.notify_calls())
        fail_id = finish_one(hub, "[fail] a transient failure")
        failed = wait_notification(daemon, "transient failure", mark)
        error_message = hub.job(fail_id)["error_message"]
        ok(failed["summary"] == "Image failed", "failed: summary", failed["summary"])
        ok(error_message and failed["body"].startswith(error_message.replace("&", "&amp;").replace("<", "&lt;")),
           "failed: body has the error message", (failed["body"], error_message))
        ok(failed["action_order"] == ["default", "retry-job"] and failed["actions"]["retry-job"] == "Retry",
           "failed: default action and Retry", failed["actions"])

        mark = len(daemon.notify_calls())
        mod_id = finish_one(hub, "a gore scene for moderation")
        moderated = wait_notification(daemon, "gore scene", mark)
        ok(hub.job(mod_id).get("error_code") == "content_moderation", "the hub rejected the prompt (moderation)")
        ok(moderated["action_order"] == ["default", "edit-job"]
           and moderated["actions"]["edit-job"] == "Edit Prompt",
           "moderation failure: Edit Prompt instead of Retry", moderated["actions"])
        before = set(x11.windows_of(app.pid))
        daemon.invoke(moderated["id"], "edit-job")
        dialogs = wait_for("the Edit & Resubmit dialog",
                           lambda: [w for w in x11.windows_of(app.pid) if w not in before])
        ok(x11.title(dialogs[0]) == "Edit & Resubmit",
           "Edit Prompt on the notification opens the pre-filled Edit & Resubmit dialog", x11.title(dialogs[0]))
        x11.close(dialogs[0])
        wait_for("the dialog to close", lambda: dialogs[0] not in x11.windows_of(app.pid))

        mark = len(daemon.notify_calls())
        empty_id = finish_one(hub, "[empty-error] says nothing")
        empty = wait_notification(daemon, "says nothing", mark)
        ok(empty["body"].startswith(NO_DETAILS), "empty error message: the seed's advice", empty["body"])
        quiet(hub)
        ok(len(notifications_for(daemon, "transient failure")) == 1
           and len(notifications_for(daemon, "says nothing")) == 1,
           "each failure raised exactly one notification")

        # -- buttons do what the card does --
        hub.faults("stall-queue")  # retries stay pending: they must not end up in the counts below
        daemon.invoke(failed["id"], "retry-job")
        retry = wait_for("a retry of %s on the hub" % fail_id,
                         lambda: [j for j in hub.jobs() if j["metadata"].get("retry_of") == fail_id])
        ok(len(retry) == 1 and retry[0]["prompt"] == "[fail] a transient failure",
           "Retry on the notification submits the job again with metadata.retry_of", retry)

        daemon.invoke(done["id"], "use-in-campaign")
        uris = os.path.join(tmp, "opened-uris")
        opened = wait_for("the campaign page", lambda: os.path.exists(uris) and open(uris).read())
        ok("creative_job_id=" + done_id in opened, "Use in Campaign opens Campaign Creator for the job", opened)

        downloads = os.path.join(tmp, "downloads")
        daemon.invoke(done["id"], "download-job")
        saved = wait_for("the result in the download folder", lambda: files_in(downloads))
        ok(len(saved) == 1, "Download on the notification saves the result in the download folder", saved)

        # -- app.* actions from outside, through GApplication's D-Bus interface --
        subprocess.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path", "/com/wevion/Jobs",
                        "--method", "org.freedesktop.Application.ActivateAction", "retry-job",
                        "[<'%s'>]" % empty_id, "{}"], check=True, stdout=subprocess.DEVNULL)
        retry2 = wait_for("a retry of %s on the hub" % empty_id,
                          lambda: [j for j in hub.jobs() if j["metadata"].get("retry_of") == empty_id])
        ok(len(retry2) == 1, "org.freedesktop.Application.ActivateAction('retry-job', [id]) retries", retry2)
        for j in retry + retry2:
            hub.cancel(j["id"])  # canceled by the user: no notification
        hub.faults("none")

        # -- a burst while the server is away: one summary when it is back --
        hub.faults("stall-queue")
        burst = [hub.submit("[ok] burst job %d" % i) for i in range(5)] + [hub.submit("[fail] burst job 5")]
        seen_by_app(hub)
        mark = len(daemon.notify_calls())
        hub.stop()  # the connection drops
        hub.start(faults="rate=1:503")  # back on the same port, answering 503 while the jobs run
        wait_for("the burst to end on the hub", lambda: hub.stats()["pending"] == 0
                 and hub.stats()["processing"] == 1, timeout=30)
        hub.faults("none")
        summary = wait_for("the summary notification", lambda: [c for c in daemon.notify_calls()[mark:]
                                                                 if "jobs completed" in c["summary"]])[0]
        quiet(hub)
        after = daemon.notify_calls()[mark:]
        ok(summary["summary"] == "5 jobs completed, 1 failed", "a burst gives one summary", summary["summary"])
        ok(len(after) == 1, "and no notification per job", [c["summary"] for c in after])
        ok(summary["action_order"] == ["default"], "the summary's default action opens the panel",
           summary["actions"])
        ok(all(hub.job(j)["status"] in ("completed", "failed") for j in burst),
           "the jobs finished while the app could not reach the server")
        daemon.invoke(summary["id"], "default")  # app.show-jobs([the six ids]): the panel filtered to them

        def show_jobs_logged():
            with open(os.path.join(tmp, "app.log"), errors="replace") as f:
                return [line for line in f if "app.show-jobs(" in line]
        shown = wait_for("app.show-jobs in the log", show_jobs_logged)
        ok(all(j in shown[-1] for j in burst), "clicking the summary shows the panel filtered to its jobs "
           "(app.show-jobs with their ids; tests/notify/test-notify-app.c checks the filter)", shown[-1])
        ok(x11.windows_of(app.pid) and app.poll() is None, "with the window up")

        # -- background: closing the window keeps polling --
        for c in daemon.notify_calls():
            daemon.close(c["id"])  # only the active job may keep the app now
        time.sleep(0.3)
        windows = x11.windows_of(app.pid)
        for w in windows:
            x11.close(w)
        wait_for("the window to close", lambda: not x11.windows_of(app.pid))
        time.sleep(0.5)
        ok(app.poll() is None, "closing the window while a job is active keeps the app running")
        mark = len(daemon.notify_calls())
        finish_one(hub, "[ok] finished with the window closed")
        closed_note = wait_notification(daemon, "window closed", mark)
        ok(closed_note["summary"] == "Image ready", "and its notification still arrives")
        daemon.invoke(closed_note["id"], "default")  # app.view-job
        wait_for("the window to come back", lambda: x11.windows_of(app.pid))
        ok(app.poll() is None, "clicking the notification opens the window of the same instance")
        for w in x11.windows_of(app.pid):
            x11.close(w)
        wait_for("the window to close", lambda: not x11.windows_of(app.pid))

        # -- reopening brings back the same instance and its state --
        again = subprocess.run([APP, "--server", hub.url], env=env, timeout=DEADLINE, stdout=app_log,
                               stderr=subprocess.STDOUT)
        ok(again.returncode == 0, "launching again hands over to the running instance")
        wait_for("the window to come back", lambda: x11.windows_of(app.pid))
        ok(app.poll() is None, "the same process shows the window again")
        for w in x11.windows_of(app.pid):
            x11.close(w)
        wait_for("the window to close", lambda: not x11.windows_of(app.pid))

        # -- nothing left: the app exits by itself --
        gets = hub.stats()["routes"].get("job", {}).get("requests", 0)
        hub.cancel(hold_id)
        # the app's poll misses the job in the active list and GETs it to learn how it ended
        wait_for("the app to learn the hold job ended",
                 lambda: hub.stats()["routes"].get("job", {}).get("requests", 0) > gets)
        time.sleep(1.0)
        ok(app.poll() is None, "with notifications still open, the app stays so their buttons work")
        for c in daemon.notify_calls():
            daemon.close(c["id"])
        rc = wait_for("the app to exit", lambda: app.poll() is not None or None, timeout=DEADLINE)
        ok(app.returncode == 0, "nothing active and no notification open: the app exits by itself", rc)
        ok(not notifications_for(daemon, "keeps the app polling"), "a canceled job raised no notification")

        # -- not running: an action from outside starts it by D-Bus activation (DBusActivatable) --
        activation_log = os.path.join(tmp, "activated.log")
        activation_env = {k: env[k] for k in env if k.startswith(("XDG_", "GSETTINGS_", "WEVION_", "GDK_", "GSK_"))
                          or k in ("DISPLAY", "NO_AT_BRIDGE", "GTK_A11Y", "G_MESSAGES_DEBUG", "LC_ALL")}
        # a fresh cache: the activated instance knows no job before it asks the server
        activation_env.update({"WEVION_SERVER_URL": hub.url, "WEVION_ACTIVATION_LOG": activation_log,
                               "XDG_CACHE_HOME": os.path.join(tmp, "fresh-cache")})
        dbus_iface = dbus.Interface(daemon.bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"),
                                    "org.freedesktop.DBus")
        dbus_iface.UpdateActivationEnvironment(activation_env)

        # -- `gapplication action` on a job the (fresh) cache does not have: GET it, then act --
        activated_downloads = os.path.join(tmp, "downloads-activated")
        write_settings(tmp, notify_when_focused=True, download_folder=activated_downloads)
        subprocess.run(["gapplication", "action", APP_ID, "download-job", "'%s'" % done_id], check=True,
                       timeout=DEADLINE)
        saved = wait_for("the download of the activated instance", lambda: files_in(activated_downloads))
        ok(len(saved) == 1, "gapplication action download-job on a fresh cache fetches the job and saves its result",
           saved)
        wait_for("the activated instance to exit when done", lambda: not daemon.bus.name_has_owner(APP_ID))
        ok(True, "and exits once the download is done (nothing else to watch)")
        mark = len(daemon.notify_calls())
        subprocess.run(["gapplication", "action", APP_ID, "download-job", "'no-such-job'"], check=True,
                       timeout=DEADLINE)
        unknown = wait_notification(daemon, "no-such-job", mark)
        ok("could not be loaded" in unknown["body"],
           "an unknown job with no window: a notification says so, not silence", unknown["body"])
        daemon.close(unknown["id"])
        wait_for("the activated instance to exit", lambda: not daemon.bus.name_has_owner(APP_ID))
        mark = len(daemon.notify_calls())
        subprocess.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path", "/com/wevion/Jobs",
                        "--method", "org.freedesktop.Application.ActivateAction", "retry-job",
                        "[<'%s'>]" % burst[5], "{}"], check=True, stdout=subprocess.DEVNULL, timeout=DEADLINE)
        retry3 = wait_for("a retry of %s on the hub" % burst[5],
                          lambda: [j for j in hub.jobs() if j["metadata"].get("retry_of") == burst[5]])
        ok(len(retry3) == 1, "ActivateAction starts the app by D-Bus activation and the retry is submitted")
        again_note = wait_notification(daemon, "burst job 5", mark)
        ok(again_note["summary"] == "Image failed", "the activated instance polls and notifies on its own")
        subprocess.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path", "/com/wevion/Jobs",
                        "--method", "org.freedesktop.Application.ActivateAction", "quit", "[]", "{}"],
                       stdout=subprocess.DEVNULL, timeout=DEADLINE)
        wait_for("the activated instance to quit", lambda: not daemon.bus.name_has_owner(APP_ID))

        # -- run-in-background: nothing active, window closed, and the app stays --
        for c in daemon.notify_calls():
            daemon.close(c["id"])
        write_settings(tmp, notify_when_focused=True, run_in_background=True)
        bg = subprocess.Popen([APP, "--server", hub.url], env=env, stdout=app_log, stderr=subprocess.STDOUT)
        try:
            wait_for("the window", lambda: x11.windows_of(bg.pid))
            for w in x11.windows_of(bg.pid):
                x11.close(w)
            wait_for("the window to close", lambda: not x11.windows_of(bg.pid))
            time.sleep(1.5)
            ok(bg.poll() is None and daemon.bus.name_has_owner(APP_ID),
               "run-in-background: the app stays without a window and with nothing active")

            # -- suspend and resume (logind's PrepareForSleep): nothing active, so no polling, until
            # the resume makes the app catch up at once --
            lists = hub.list_requests()
            system_bus.prepare_for_sleep(True)
            time.sleep(0.5)
            ok(hub.list_requests() == lists, "nothing active: no polling, going to sleep asks nothing")
            system_bus.prepare_for_sleep(False)
            wait_for("a refresh after the resume", lambda: hub.list_requests() > lists)
            ok(True, "PrepareForSleep(false) on the system bus: the app refreshes at once")
            subprocess.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path", "/com/wevion/Jobs",
                            "--method", "org.freedesktop.Application.Activate", "{}"],
                           stdout=subprocess.DEVNULL, timeout=DEADLINE)
            wait_for("the window to come back", lambda: x11.windows_of(bg.pid))
            ok(bg.poll() is None, "and Activate (launcher, D-Bus) brings its window back")
            subprocess.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path", "/com/wevion/Jobs",
                            "--method", "org.freedesktop.Application.ActivateAction", "quit", "[]", "{}"],
                           stdout=subprocess.DEVNULL, timeout=DEADLINE)
            bg.wait(DEADLINE)
            ok(bg.returncode == 0, "Quit ends it")
        finally:
            if bg.poll() is None:
                bg.kill()

        scenario_quit_on_close(tmp, hub, daemon, x11, env, app_log)
        scenario_buttons_window_closed(tmp, hub, daemon, x11, env, app_log)
        scenario_token_refused(tmp, hub, daemon, x11, env, app_log)
        scenario_portals(tmp, hub, daemon, x11, env, app_log)
    finally:
        if app.poll() is None:
            app.terminate()
            try:
                app.wait(10)
            except subprocess.TimeoutExpired:
                app.kill()
        hub.stop()
        daemon.stop()
        system_bus.stop()
        app_log.close()


def main():
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") or not os.environ.get("DISPLAY"):
        print("Bail out! run me through run-test-notify.sh (a private session bus and an X display)")
        return 1
    tmp = tempfile.mkdtemp(prefix="wevion-notify-")
    try:
        run(tmp)
    except Exception:
        ok(False, "the scenario ran to its end", traceback.format_exc())
        for name in ("app.log", "activated.log", "hub.log", "dbusmock.log"):
            path = os.path.join(tmp, name)
            if os.path.exists(path):
                note("---- %s (last 40 lines)" % name)
                with open(path, errors="replace") as f:
                    note("".join(f.readlines()[-40:]))
    print("1..%d" % n_tests, flush=True)
    if n_failed == 0 and not os.environ.get("WEVION_KEEP"):
        subprocess.run(["rm", "-rf", tmp])
    else:
        note("kept %s" % tmp)
    return 1 if n_failed else 0


if __name__ == "__main__":
    sys.exit(main())
