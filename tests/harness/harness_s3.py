# A small S3 client for tests (SigV4 with hashlib/hmac, one keep-alive connection), written
# independently of the code under test: tests look at and damage what an s3:// mount wrote,
# and snapshot a bucket into a folder so the harness's file helpers (writer_files, room_dirs)
# read it as they read an FTP server's data folder.
import datetime
import hashlib
import hmac
import http.client
import os
import re
import shutil
import urllib.parse

from harness_base import HarnessError

_UNSIGNED = 'UNSIGNED-PAYLOAD'


def _quote(text, safe=''):
    return urllib.parse.quote(text, safe=safe + '~')


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class S3Client:
    """Path-style requests to http://host:port with access/secret keys."""

    def __init__(self, port, access_key, secret_key, host='127.0.0.1', region='us-east-1'):
        self.host, self.port = host, port
        self.access_key, self.secret_key, self.region = access_key, secret_key, region
        self._conn = None

    def request(self, method, bucket, key='', query=None, body=b'', headers=None, timeout=30):
        """(status, headers as a lower-case dict, body bytes). Reconnects once if the kept
        connection went away (e.g. the gateway restarted)."""
        for attempt in (0, 1):
            try:
                return self._send(method, bucket, key, query or {}, body, headers or {}, timeout)
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt:
                    raise

    def _send(self, method, bucket, key, query, body, headers, timeout):
        path = '/' + _quote(bucket) + ('/' + _quote(key, safe='/') if key else '')
        canonical_query = '&'.join('%s=%s' % (_quote(k), _quote(v)) for k, v in sorted(query.items()))
        now = datetime.datetime.now(datetime.timezone.utc)
        stamp, day = now.strftime('%Y%m%dT%H%M%SZ'), now.strftime('%Y%m%d')
        host = '%s:%d' % (self.host, self.port)
        signed = {'host': host, 'x-amz-content-sha256': _UNSIGNED, 'x-amz-date': stamp}
        names = ';'.join(sorted(signed))
        canonical = '\n'.join([method, path, canonical_query,
                               ''.join('%s:%s\n' % (k, signed[k]) for k in sorted(signed)),
                               names, _UNSIGNED])
        scope = '%s/%s/s3/aws4_request' % (day, self.region)
        to_sign = '\n'.join(['AWS4-HMAC-SHA256', stamp, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        key_bytes = _hmac(_hmac(_hmac(_hmac(('AWS4' + self.secret_key).encode(), day),
                                      self.region), 's3'), 'aws4_request')
        signature = hmac.new(key_bytes, to_sign.encode(), hashlib.sha256).hexdigest()
        all_headers = dict(headers)
        all_headers.update({'x-amz-content-sha256': _UNSIGNED, 'x-amz-date': stamp,
                            'Authorization': 'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, '
                                             'Signature=%s' % (self.access_key, scope, names, signature)})
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self._conn.request(method, path + ('?' + canonical_query if canonical_query else ''),
                           body=body, headers=all_headers)
        reply = self._conn.getresponse()
        data = reply.read()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, data

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def check(self, method, bucket, key='', expect=(200,), **kw):
        status, headers, body = self.request(method, bucket, key, **kw)
        if status not in expect:
            raise HarnessError('S3 %s /%s/%s answered %d: %r' % (method, bucket, key, status, body[:300]))
        return headers, body

    def list_keys(self, bucket, prefix=''):
        """{key: size} of every object under prefix (all pages)."""
        out, token = {}, None
        while True:
            query = {'list-type': '2', 'prefix': prefix}
            if token:
                query['continuation-token'] = token
            _, body = self.check('GET', bucket, query=query)
            text = body.decode()
            for key, size in re.findall(r'<Key>(.*?)</Key>.*?<Size>(\d+)</Size>', text, re.S):
                out[_xml_unescape(key)] = int(size)
            m = re.search(r'<NextContinuationToken>(.*?)</NextContinuationToken>', text)
            if '<IsTruncated>true</IsTruncated>' not in text or not m:
                return out
            token = _xml_unescape(m.group(1))

    def get(self, bucket, key):
        return self.check('GET', bucket, key)[1]

    def put(self, bucket, key, data, headers=None):
        return self.check('PUT', bucket, key, body=data, headers=headers)

    def snapshot(self, bucket, dest, prefix=''):
        """Writes every object under prefix into folder dest (emptied first): "a/b" becomes
        dest/a/b, a folder marker "a/" the folder dest/a. Returns dest."""
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        for key in self.list_keys(bucket, prefix):
            path = os.path.join(dest, key[len(prefix):])
            if key.endswith('/'):
                os.makedirs(path, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(self.get(bucket, key))
        return dest


def _xml_unescape(text):
    for a, b in (('&lt;', '<'), ('&gt;', '>'), ('&quot;', '"'), ('&apos;', "'"), ('&amp;', '&')):
        text = text.replace(a, b)
    return text
