# A unittest base class for tests that share one real server per test class.
import unittest

from harness_ftp import PyFtpdServer
from harness_mount import Mount


class ServerTestCase(unittest.TestCase):
    """Starts `server_class()` once for the class (as cls.server) and closes it afterwards."""

    server_class = PyFtpdServer

    @classmethod
    def setUpClass(cls):
        cls.server = cls.server_class()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def start_mount(self, url, nick, passphrase, **kw):
        """A started Mount (keyword arguments as Mount's), closed when the test ends."""
        m = Mount(url, nick, passphrase, **kw)
        self.addCleanup(m.close)
        m.start()
        return m
