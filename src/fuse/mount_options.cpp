// fuse_opt splits "-o a,b=c" lists (with libfuse's own escaping rules); ftpchatfs keys
// are consumed here, anything else is kept for fuse_new() to accept or reject.
#include "mount_options.hpp"

#include <charconv>
#include <cstring>
#include <string_view>

#include "fuse_api.hpp"

namespace ftpchat {
namespace {

enum Key { kNick, kPassfile, kPoll, kLogfile, kTls, kCacert, kInsecure, kIdentity, kAcceptNewHostkey,
           kCipher, kCompress, kSyncSend, kSyncRead, kSendTimeout, kEndpoint, kRegion,
           kRewrite, kChatid, kChatidPassfile, kReceipts, kActive, kConnections };

const fuse_opt kOptionSpecs[] = {
    FUSE_OPT_KEY("nick=", kNick),
    FUSE_OPT_KEY("passfile=", kPassfile),
    FUSE_OPT_KEY("poll=", kPoll),
    FUSE_OPT_KEY("logfile=", kLogfile),
    FUSE_OPT_KEY("tls=", kTls),
    FUSE_OPT_KEY("cacert=", kCacert),
    FUSE_OPT_KEY("insecure", kInsecure),
    FUSE_OPT_KEY("identity=", kIdentity),
    FUSE_OPT_KEY("accept_new_hostkey", kAcceptNewHostkey),
    FUSE_OPT_KEY("cipher=", kCipher),
    FUSE_OPT_KEY("compress=", kCompress),
    FUSE_OPT_KEY("sync_send", kSyncSend),
    FUSE_OPT_KEY("sync_read", kSyncRead),
    FUSE_OPT_KEY("send_timeout=", kSendTimeout),
    FUSE_OPT_KEY("endpoint=", kEndpoint),
    FUSE_OPT_KEY("region=", kRegion),
    FUSE_OPT_KEY("rewrite", kRewrite),
    FUSE_OPT_KEY("receipts", kReceipts),
    FUSE_OPT_KEY("active", kActive),
    FUSE_OPT_KEY("active=", kActive),
    FUSE_OPT_KEY("chatid=", kChatid),
    FUSE_OPT_KEY("chatid_passfile=", kChatidPassfile),
    FUSE_OPT_KEY("connections=", kConnections),
    FUSE_OPT_END,
};

struct ParseState {
  MountOptions options;
  std::string error;
};

std::string_view value_of(const char* arg) {
  const char* eq = std::strchr(arg, '=');
  return eq ? std::string_view(eq + 1) : std::string_view();
}

int on_option(void* data, const char* arg, int key, fuse_args* /*outargs*/) {
  auto& state = *static_cast<ParseState*>(data);
  MountOptions& o = state.options;
  const std::string_view value = value_of(arg);
  switch (key) {
    case kNick: o.engine.nick = value; return 0;
    case kPassfile: o.passfile = value; return 0;
    case kChatid: o.chatid = value; return 0;
    case kChatidPassfile: o.chatid_passfile = value; return 0;
    case kLogfile: o.logfile = value; return 0;
    case kCacert: o.transport.cacert = value; return 0;
    case kIdentity: o.transport.identity = value; return 0;
    case kInsecure: o.transport.insecure = true; return 0;
    case kAcceptNewHostkey: o.transport.accept_new_hostkey = true; return 0;
    case kEndpoint: o.transport.endpoint = value; return 0;
    case kRegion: o.transport.region = value; return 0;
    case kRewrite: o.transport.rewrite = true; return 0;
    case kReceipts: o.engine.receipts = true; return 0;
    case kActive: {
      auto port = parse_active_mode(value);
      if (!port) {
        state.error = port.error().detail;
        return -1;
      }
      o.transport.active_port = std::move(*port);
      return 0;
    }
    case kPoll: {
      unsigned ms = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
      if (ec != std::errc() || end != value.data() + value.size() || ms < 50 || ms > 3600000) {
        state.error = "bad value for poll: '" + std::string(value) +
                      "' (milliseconds between 50 and 3600000)";
        return -1;
      }
      o.engine.poll = std::chrono::milliseconds(ms);
      return 0;
    }
    case kTls:
      if (value == "require") o.transport.tls = TlsMode::require;
      else if (value == "try") o.transport.tls = TlsMode::try_tls;
      else if (value == "none") o.transport.tls = TlsMode::none;
      else {
        state.error = "bad value for tls: '" + std::string(value) + "' (require, try or none)";
        return -1;
      }
      return 0;
    case kCipher:
      if (value == "xchacha20poly1305") o.engine.room_suite = Suite::xchacha20poly1305;
      else if (value == "mono24") o.engine.room_suite = Suite::mono24_insecure;
      else {
        state.error = "bad value for cipher: '" + std::string(value) +
                      "' (xchacha20poly1305, or mono24 for the insecure legacy cipher)";
        return -1;
      }
      return 0;
    case kCompress:
      if (value == "zstd") o.engine.compress = true;
      else if (value == "none") o.engine.compress = false;
      else {
        state.error = "bad value for compress: '" + std::string(value) + "' (zstd or none)";
        return -1;
      }
      return 0;
    case kConnections: {
      unsigned n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 16) {
        state.error = "bad value for connections: '" + std::string(value) +
                      "' (a number of connections between 1 and 16)";
        return -1;
      }
      o.engine.connections = n;
      return 0;
    }
    case kSyncSend: o.engine.sync_send = true; return 0;
    case kSyncRead: o.engine.sync_read = true; return 0;
    case kSendTimeout: {
      unsigned secs = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
      if (ec != std::errc() || end != value.data() + value.size() || secs < 1 || secs > 3600) {
        state.error = "bad value for send_timeout: '" + std::string(value) +
                      "' (seconds between 1 and 3600)";
        return -1;
      }
      o.engine.send_timeout = std::chrono::seconds(secs);
      return 0;
    }
    case FUSE_OPT_KEY_OPT:
      o.fuse_options.emplace_back(arg);
      return 0;
    default:
      return 1;
  }
}

}  // namespace

const std::vector<OptionDoc>& mount_option_docs() {
  static const std::vector<OptionDoc> docs = {
      {"nick=NAME", "name shown to others (default: your login name)"},
      {"passfile=FILE", "read the room passphrase from the first line of FILE"},
      {"chatid=FILE", "your identity for member rooms (default: $XDG_DATA_HOME/ftpchatfs/identity, if it exists; see ftpchat id new)"},
      {"chatid_passfile=FILE", "the passphrase of a sealed identity file (else FTPCHAT_ID_PASSPHRASE, else a prompt)"},
      {"poll=MS", "poll an active room every MS milliseconds (default 250), less when idle"},
      {"connections=N", "use up to N connections to the server (default 4): one for sends, the others to poll rooms in parallel (and to send to several rooms at once); 1 for a server that allows a single session"},
      {"logfile=FILE", "write the daemon's log to FILE (default: stderr with -f, else syslog)"},
      {"tls=MODE", "explicit TLS on ftp://: require, try or none (default none)"},
      {"cacert=FILE", "also trust the CA certificates in FILE"},
      {"insecure", "do not verify TLS certificates or SSH host keys (warns at each mount)"},
      {"identity=FILE", "SSH private key for sftp:// (default: ~/.ssh/id_ed25519 and friends)"},
      {"accept_new_hostkey", "record an unknown SSH host key in ~/.ssh/known_hosts (never a changed one)"},
      {"cipher=SUITE", "cipher of rooms created by mkdir: xchacha20poly1305 (default) or mono24 (legacy, INSECURE)"},
      {"sync_send", "close() and fsync() on outbox wait until the server has the messages (default: return once queued on local disk)"},
      {"sync_read", "every read at the end of log or log.jsonl first fetches what is new on the server (default: the background poller keeps them current)"},
      {"send_timeout=SEC", "how long sync_send waits before failing with ETIMEDOUT (default 30); the messages stay queued"},
      {"compress=zstd", "compress messages with zstd when that makes them smaller (default none); all clients read them"},
      {"endpoint=URL", "s3://: the server, e.g. http://127.0.0.1:7480 (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)"},
      {"region=NAME", "s3://: the signing region (default: AWS_REGION, AWS_DEFAULT_REGION, ~/.aws/config, else us-east-1)"},
      {"rewrite", "ftp://, s3://, dav://: never append; each send rewrites this client's own file (for servers whose appends misbehave)"},
      {"active[=PORTS]", "ftp://: active data connections (EPRT/PORT) where passive ones are blocked; PORTS: LO-HI, ADDRESS or ADDRESS:LO-HI to listen on (default: passive, active once the server refuses passive)"},
      {"receipts", "member rooms: tell the other members how far you have read (read receipts), and see how far they have (default off: neither)"},
  };
  return docs;
}

Result<MountOptions> parse_mount_options(const std::vector<std::string>& o_values) {
  std::vector<std::string> argv_storage{"ftpchatfs"};
  for (const std::string& value : o_values) {
    argv_storage.push_back("-o");
    argv_storage.push_back(value);
  }
  std::vector<char*> argv;
  for (std::string& s : argv_storage) argv.push_back(s.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  ParseState state;
  const int rc = fuse_opt_parse(&args, &state, kOptionSpecs, on_option);
  fuse_opt_free_args(&args);
  if (rc != 0)
    return make_error(Errc::invalid_argument, state.error.empty() ? "cannot parse -o options" : state.error);
  return std::move(state.options);
}

}  // namespace ftpchat
