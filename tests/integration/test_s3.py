# s3:// against a real Ceph RADOS Gateway (tests/harness/harness_rgw.py), through real
# mounts and the real ftpchat command: the chat scenarios test_compat.py runs on FTP servers,
# what S3 adds (appendable objects, rewrite mode guarded by If-Match, exclusive room folders,
# credentials only from the AWS environment), the 8-writer concurrency test, and the faults
# (the gateway restarted mid-send; the reply of a landed append lost). One gateway per class.
#   cd tests/integration && FTPCHATFS_BIN=../../build/ftpchatfs PYTHONPATH=../harness \
#     /usr/bin/python3 -m unittest -v test_s3
import os
import subprocess
import unittest

import chatharness as h
import delivery as d
from chat_scenarios import PASS, ChatScenarios
from ftpchat_tool import FtpchatUser
from harness_http_proxy import HttpReplyCutter
from harness_rgw import RgwServer
from test_concurrency import ConcurrentSenders
from test_faults import DELIVERY_TIMEOUT, PAUSE, FaultChecks

ENV_KEYS = ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL', 'AWS_PROFILE',
            'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE')


def use_aws_environment(test, server):
    """This process's (and so every mount's) AWS environment names `server`, until the test
    or class ends (`test` is a TestCase or its class)."""
    saved = {k: os.environ.get(k) for k in ENV_KEYS}

    def restore():
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    for k in ENV_KEYS:
        os.environ.pop(k, None)
    os.environ.update(server.credentials_env(), AWS_ENDPOINT_URL=server.endpoint)
    (test.addClassCleanup if isinstance(test, type) else test.addCleanup)(restore)


def object_type(server, key):
    """RGW's x-rgw-object-type of an object: 'Appendable' or 'Normal'."""
    status, headers, _ = server.client.request('HEAD', server.bucket, key)
    return headers.get('x-rgw-object-type') if status == 200 else None


class OnCephRgw(ChatScenarios, unittest.TestCase):
    """The compatibility scenarios; keys in each client's ~/.aws/credentials, the endpoint as
    -o endpoint (the process environment names no gateway here)."""
    make_server = classmethod(lambda cls: RgwServer())

    def prepare_client(self, client):
        self.server.write_credentials(client.home)

    def extra_options(self):
        return [self.server.endpoint_option()]

    def room_keys(self, room_dir_prefix):
        keys = self.server.client.list_keys(self.server.bucket, room_dir_prefix)
        return {k[len(room_dir_prefix):]: size for k, size in keys.items()}

    def test_appendable_objects_exclusive_rooms_and_status(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        with self.assertRaises(FileExistsError):
            os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'one')
        h.append_line(a.outbox('r'), 'two')
        b = self.mount('bob')
        with self.assertRaises(FileExistsError):
            os.mkdir(b.path('r'))
        h.wait_for(lambda: '<alice> two' in h.read_text(b.log('r')), 10)
        h.wait_for(lambda: h.read_status(a, 'r')['messages pending'] == '0', 10)
        status = h.read_status(a, 'r')
        self.assertEqual(status['transport mode'], 'append (RGW appendable objects)')
        self.assertEqual(status['server'], self.url)
        prefix = 'chat-%s/' % self._testMethodName
        keys = self.room_keys(prefix)
        [room] = {k.split('/')[0] for k in keys}
        writers = [k for k in keys if k.endswith('.w')]
        self.assertEqual(len(writers), 1, keys)
        self.assertEqual(object_type(self.server, prefix + writers[0]), 'Appendable')
        self.assertEqual(object_type(self.server, prefix + room + '/header'), 'Normal')
        self.assertIn(room + '/', keys)  # the folder's marker: what makes mkdir exclusive
        self.assertEqual([k for k in keys if 'probe' in k or '.tmp-' in k], [])

    def test_rewrite_mode_is_guarded_by_if_match(self):
        a = self.mount('alice', options=['poll=200', 'rewrite'])
        b = self.mount('bob')
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'first')
        h.wait_for(lambda: '<alice> first' in h.read_text(b.log('r')), 10)
        self.assertEqual(h.read_status(a, 'r')['transport mode'], 'rewrite (-o rewrite)')
        prefix = 'chat-%s/' % self._testMethodName
        [writer] = [k for k in self.room_keys(prefix) if k.endswith('.w')]
        self.assertEqual(object_type(self.server, prefix + writer), 'Normal')
        # Someone else changes alice's object: her next rewrite must not overwrite it blindly.
        key = prefix + writer
        self.server.client.put(self.server.bucket, key, self.server.client.get(self.server.bucket, key) + b'junk\n')
        h.append_line(a.outbox('r'), 'second')
        h.wait_for(lambda: '<alice> second' in h.read_text(b.log('r')), 20)
        self.assertIn('changed on the server since it was read', a.log_text())
        body = self.server.client.get(self.server.bucket, key)
        self.assertIn(b'junk\n', body)  # kept: read again, then rewritten with it
        lines = [l for l in h.read_text(b.log('r')).splitlines() if '<alice>' in l]
        self.assertEqual([l.split('> ', 1)[1] for l in lines], ['first', 'second'])

    def test_ftpchat_takes_credentials_from_the_aws_environment(self):
        user = FtpchatUser('carol', PASS)
        room = self.url + 'cli'
        endpoint = ['--endpoint', self.server.endpoint]
        env = {k: v for k, v in user.env().items() if not k.startswith('AWS_')}

        def run(*args):
            return subprocess.run(user.args(*args), env=env, capture_output=True, text=True, timeout=60)
        missing = run('init', *endpoint, room)
        self.assertEqual(missing.returncode, 2, missing.stderr)
        self.assertIn('no AWS credentials for s3://', missing.stderr)
        self.assertIn('AWS_ACCESS_KEY_ID', missing.stderr)
        # A named profile in ~/.aws/credentials, chosen by AWS_PROFILE.
        self.server.write_credentials(user.client.home, profile='chat')
        env['AWS_PROFILE'] = 'chat'
        made = run('init', *endpoint, room)
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assertEqual(run('send', *endpoint, room, 'from the cli').returncode, 0)
        read = run('read', *endpoint, room)
        self.assertIn('<carol> from the cli', read.stdout)
        wrong = run('read', '--endpoint', 'ftp://127.0.0.1/', room)
        self.assertEqual(wrong.returncode, 2)
        self.assertIn('-o endpoint must be an http:// or https:// URL', wrong.stderr)
        for proc in (made, read):
            self.assertNotIn(self.server.secret_key, proc.stdout + proc.stderr)


class ConcurrentOnCephRgw(ConcurrentSenders, unittest.TestCase):
    """8 mounts x 250 messages at once; keys and endpoint from the environment."""

    def make_server(self):
        server = RgwServer().start()
        use_aws_environment(self, server)
        return server


class FaultsOnCephRgw(FaultChecks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RgwServer().start()
        cls.addClassCleanup(cls.server.close)
        use_aws_environment(cls, cls.server)

    def test_gateway_killed_while_sending_then_restarted(self):
        self.check_server_killed_while_sending(self.server, self.server.url('restart/'),
                                               'rgw killed')

    def test_reply_of_a_landed_append_lost(self):
        # Only a landed append's reply: 200 with RGW's next position and no body.
        proxy = HttpReplyCutter(self.server.port, every=2, matches=lambda chunk: (
            b'HTTP/1.1 200 OK' in chunk and b'x-rgw-next-append-position' in chunk
            and b'Content-Length: 0\r\n' in chunk))
        self.addCleanup(proxy.stop)
        url = self.server.url('reply-lost/')
        a = self.mount(url, 'alice', create_room=True, options=[self.server.endpoint_option(proxy.port)])
        b = self.mount(url, 'bob')
        proxy.cutting = True
        count = 150
        self.finish_sender(d.start_sender(a, 'alice', 1, count, pause=PAUSE), count)
        h.wait_for(lambda: self.pending(a) == 0, DELIVERY_TIMEOUT, message='spool drained through the proxy')
        proxy.cutting = False
        self.assertGreaterEqual(proxy.cut_replies, 3, 'too few append replies were cut to test anything')
        self.assertIn('cannot send queued messages', a.log_text())
        status = self.assert_exactly_once(b, 'alice', count, 'reply lost')
        self.assert_exactly_once(a, 'alice', count, 'reply lost (sender)')
        self.report('rgw reply lost', count, count, status,
                    '; %d of %d append replies cut' % (proxy.cut_replies, proxy.seen))


if __name__ == '__main__':
    unittest.main()
