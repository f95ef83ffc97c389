#include "swarmhub/net/tls_trust.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>

#include "swarmhub/net/fingerprint.hpp"
#include "swarmhub/net/host_port.hpp"
#include "swarmhub/net/secure_files.hpp"
#include "swarmhub/net/tls_certificate.hpp"

namespace swarmhub::net {

struct tls_trust::state {
  std::string tracker;  // canonical HOST:PORT
  std::string host;
  std::string pin;  // canonical, or "" for none
  std::string known_trackers_path;
  trust_mode mode = trust_mode::automatic;
  std::string known;  // the known_trackers fingerprint of this tracker, or ""
  int known_line = 0;
  bool pin_is_valid = true;  // false: the pin given is not a fingerprint, nothing can pass

  std::string chain_error;  // the first problem OpenSSL found in the chain; sticky
  std::string error;
  std::string fingerprint;
  trust_outcome outcome = trust_outcome::none;
};

namespace {

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool names_host(X509* cert, const std::string& host) {
  if (is_ip_literal(host)) return X509_check_ip_asc(cert, host.c_str(), 0) == 1;
  return X509_check_host(cert, host.data(), host.size(), 0, nullptr) == 1;
}

}  // namespace

tls_trust tls_trust::for_tracker(const std::string& tracker, const std::string& pin,
                                 const std::string& known_trackers_path, trust_mode mode) {
  auto s = std::make_shared<state>();
  const auto parsed = parse_host_port(tracker);
  s->tracker = parsed ? parsed->to_string() : tracker;
  s->host = parsed ? parsed->host : tracker;
  s->known_trackers_path = known_trackers_path;
  s->mode = mode;
  if (!pin.empty()) {
    if (auto canonical = parse_sha256_fingerprint(pin)) {
      s->pin = *canonical;
    } else {
      s->pin_is_valid = false;
      s->error =
          "the pin for " + s->tracker + " is not a SHA-256 fingerprint (sha256=AB:CD:…, 32 bytes)";
    }
  }
  // The first line for this tracker, "HOST:PORT sha256=FP"; blank lines, comments and lines
  // of another form are skipped, as ssh skips them.
  if (!known_trackers_path.empty() && s->pin.empty()) {
    std::ifstream in(known_trackers_path);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      std::istringstream words(line);
      std::string who, what;
      if (!(words >> who >> what) || who.starts_with('#') || who != s->tracker) continue;
      if (auto fp = parse_sha256_fingerprint(what); fp && what.starts_with("sha256=")) {
        s->known = *fp;
        s->known_line = number;
        break;
      }
    }
  }
  return tls_trust(std::move(s));
}

bool tls_trust::verify(bool preverified, asio::ssl::verify_context& context) {
  state& s = *state_;
  X509_STORE_CTX* store = context.native_handle();
  const int depth = X509_STORE_CTX_get_error_depth(store);
  if (!preverified && s.chain_error.empty())
    s.chain_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
  if (!s.pin_is_valid) return false;
  const auto refuse = [&](std::string why) {
    s.error = std::move(why);
    s.outcome = trust_outcome::none;
    return false;
  };
  if (depth > 0) {
    // Only the leaf decides for pins and known trackers; CA-only mode stops at the first flaw.
    if (s.mode == trust_mode::ca_only && s.pin.empty() && !preverified)
      return refuse("the certificate of " + s.tracker + " is not trusted: " + s.chain_error);
    return true;
  }
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (!leaf) return refuse("tracker " + s.tracker + " sent no certificate");
  try {
    s.fingerprint = fingerprint_sha256(leaf);
  } catch (const std::exception& e) {  // never let an exception cross OpenSSL's C frames
    return refuse("the certificate of " + s.tracker + " cannot be read: " + e.what());
  }
  s.error.clear();
  if (!s.pin.empty()) {
    if (s.fingerprint == s.pin) {
      s.outcome = trust_outcome::pinned;
      return true;
    }
    return refuse("tracker " + s.tracker +
                  " offered a certificate that does not match its pin:\n  pinned:  sha256=" +
                  s.pin + "\n  offered: sha256=" + s.fingerprint +
                  "\nIf the tracker's certificate was replaced on purpose, update the pin.");
  }
  if (s.chain_error.empty() && names_host(leaf, s.host)) {
    s.outcome = trust_outcome::ca_signed;
    return true;
  }
  if (s.mode == trust_mode::ca_only || s.known_trackers_path.empty()) {
    return refuse(
        "the certificate of " + s.tracker + " is not trusted: " +
        (s.chain_error.empty() ? "it is not valid for the name " + s.host : s.chain_error));
  }
  if (s.known.empty()) {
    s.outcome = trust_outcome::first_use;
    return true;
  }
  if (s.known == s.fingerprint) {
    s.outcome = trust_outcome::known;
    return true;
  }
  return refuse("WARNING: the certificate of tracker " + s.tracker +
                " HAS CHANGED since it was first trusted.\n  known:   sha256=" + s.known +
                "\n  offered: sha256=" + s.fingerprint +
                "\nSomeone may be intercepting the connection, or the tracker's certificate was "
                "replaced. Ask its operator for the fingerprint; if it was replaced, remove line " +
                std::to_string(s.known_line) + " of " + s.known_trackers_path +
                " and connect again.");
}

std::string tls_trust::commit() {
  state& s = *state_;
  if (s.outcome != trust_outcome::first_use) return "";
  auto error =
      append_private_file(s.known_trackers_path, s.tracker + " sha256=" + s.fingerprint + "\n");
  if (error.empty()) s.outcome = trust_outcome::known;  // a second commit adds nothing
  return error;
}

const std::string& tls_trust::error() const {
  return state_->error;
}
const std::string& tls_trust::fingerprint() const {
  return state_->fingerprint;
}
trust_outcome tls_trust::outcome() const {
  return state_->outcome;
}

void tls_trust::set_server_name(SSL* ssl) const {
  if (!state_->host.empty() && !is_ip_literal(state_->host))
    // SSL_set_tlsext_host_name without its C cast.
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(state_->host.c_str()));
}

}  // namespace swarmhub::net
