"""A TCP proxy on loopback that a test stops and starts: a database server that goes away
and comes back, without touching the shared server behind it."""
import socket
import threading


class TcpProxy:
    """Forwards 127.0.0.1:port to `target` (host, port); the port stays the same across
    stop() and start(), as a restarted server's would."""

    def __init__(self, target):
        self.target = target
        self.port = None
        self._listener = None
        self._open = set()
        self._lock = threading.Lock()

    def start(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self):
        """Refuse new connections and cut every open one, like a server that went down."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._open = self._open, set()
        for sock in [listener, *sockets] if listener else sockets:
            _shut(sock)

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                _shut(client)
                continue
            with self._lock:
                if self._listener is not listener:  # stopped meanwhile
                    _shut(client), _shut(upstream)
                    return
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source, sink):
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    _shut(source), _shut(sink)


def _shut(sock):
    """Wake anything blocked on `sock` (accept, recv) and close it; idempotent."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
