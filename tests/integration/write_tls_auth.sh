#!/bin/sh
# pyroscope.write against a small HTTPS test server (python3) that demands a
# client certificate: TLS with a CA, a client certificate and server_name,
# all generated here with openssl; basic auth, bearer token, authorization
# credentials from a file and the tenant header as the server sees them; a
# 503 is retried, a 400 is not.
set -u
: "${PYROJAVA:?PYROJAVA must point at the built binary}"
: "${PJ_SOURCE_DIR:?PJ_SOURCE_DIR must point at the source tree}"

. "$PJ_SOURCE_DIR/tests/integration/lib/common.sh"
pj_workdir

# A CA, a server certificate for the name pyro.test only, and a client certificate.
cd "$work" || exit 1
{
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca &&
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=pyro.test &&
		printf 'subjectAltName=DNS:pyro.test\n' >server.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
			-extfile server.ext &&
		openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=pyrojava-client &&
		openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2
} >openssl.log 2>&1 || fail "openssl failed"

# The test server: one JSON line per request; /flaky answers 503 once, /reject always 400.
cat >server.py <<'END_PY'
import http.server, json, ssl, sys

seen = {}

class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        cert = self.connection.getpeercert() or {}
        cn = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
        record = {"path": self.path, "auth": self.headers.get("Authorization", ""),
                  "tenant": self.headers.get("X-Scope-OrgID", ""),
                  "type": self.headers.get("Content-Type", ""), "client": cn[0] if cn else "",
                  "bytes": len(body)}
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps(record, sort_keys=True) + "\n")
        seen[self.path] = seen.get(self.path, 0) + 1
        if self.path.startswith("/reject"):
            self.reply(400, "application/json", b'{"code":"invalid_argument","message":"tenant over quota"}')
        elif self.path.startswith("/flaky") and seen[self.path] == 1:
            self.reply(503, "text/plain", b"try later")
        else:
            self.reply(200, "application/proto", b"")

    def reply(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("server.pem", "server.key")
ctx.load_verify_locations("ca.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
END_PY
python3 server.py port.txt requests.log >server.log 2>&1 &
pids="$pids $!"
i=0
while [ ! -s port.txt ]; do
	i=$((i + 1))
	[ "$i" -gt 200 ] && fail "the test server did not start"
	sleep 0.1
done
port=$(cat port.txt)

printf ' cred-from-file\n' >credentials
tls="tls_config {
      ca_file     = \"$work/ca.pem\"
      cert_file   = \"$work/client.pem\"
      key_file    = \"$work/client.key\"
      server_name = \"pyro.test\"
    }"
{
	pj_receive_http pyroscope.write.out.receiver
	cat <<END_A

pyroscope.write "out" {
  endpoint {
    url     = "https://127.0.0.1:$port/ok"
    headers = { "X-Scope-OrgID" = "tenant-a" }
    basic_auth {
      username = "user"
      password = "pass"
    }
    $tls
  }
  endpoint {
    url                = "https://127.0.0.1:$port/flaky"
    bearer_token       = "tok"
    min_backoff_period = "50ms"
    $tls
  }
  endpoint {
    url = "https://127.0.0.1:$port/reject"
    authorization {
      type             = "Token"
      credentials_file = "$work/credentials"
    }
    $tls
  }
}
END_A
} >a.alloy
pj_run a.alloy a.log
pid_a=$pj_pid
addr_a=$(pj_log_addr a.log "receiving profiles")

printf 'series {\n  labels { name: "__name__" value: "process_cpu" }\n  labels { name: "service_name" value: "tls-app" }\n  samples { raw_profile: "not really pprof" }\n}\n' >push.txt
protoc --encode=push.v1.PushRequest -I "$PJ_SOURCE_DIR/tests/data" "$PJ_SOURCE_DIR/tests/data/push.proto" \
	<push.txt >push.bin 2>protoc.log || fail "protoc --encode failed"
status=$(curl -s -o resp.out -w '%{http_code}' -H 'Content-Type: application/proto' --data-binary @push.bin \
	"http://$addr_a/push.v1.PusherService/Push")
[ "$status" = 200 ] || fail "push to A answered $status"

wait_lines requests.log '"path": "/ok/push.v1.PusherService/Push"' 1
wait_lines requests.log '"path": "/flaky/push.v1.PusherService/Push"' 2
wait_lines requests.log '"path": "/reject/push.v1.PusherService/Push"' 1
wait_lines a.log 'tenant over quota' 1

ok=$(grep -F '"/ok/' requests.log)
for want in '"auth": "Basic dXNlcjpwYXNz"' '"tenant": "tenant-a"' '"client": "pyrojava-client"' \
	'"type": "application/proto"'; do
	echo "$ok" | grep -qF "$want" || fail "/ok request lacks $want: $ok"
done
grep -F '"/flaky/' requests.log | grep -qF '"auth": "Bearer tok"' || fail "no bearer token on /flaky"
grep -F '"/reject/' requests.log | grep -qF '"auth": "Token cred-from-file"' || fail "no credentials on /reject"

# A moment later, the 400 has still been tried only once and the 503 only twice.
sleep 1
[ "$(grep -cF '"/reject/' requests.log)" = 1 ] || fail "the 400 was retried"
[ "$(grep -cF '"/flaky/' requests.log)" = 2 ] || fail "/flaky was not retried exactly once"
grep -qE 'dXNlcjpwYXNz|cred-from-file|"pass"' a.log && fail "a secret reached the log"

kill -TERM "$pid_a"
wait "$pid_a" || fail "A exited $? on SIGTERM"
echo "ok"
