#include "swarmhub/net/tls_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <stdexcept>

#include "swarmhub/net/fingerprint.hpp"
#include "swarmhub/net/secure_files.hpp"

namespace swarmhub::net {
namespace {

struct bio_free {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct bn_free {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct x509_name_free {
  void operator()(X509_NAME* name) const { X509_NAME_free(name); }
};
struct x509_extension_free {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};
using bio_ptr = std::unique_ptr<BIO, bio_free>;

// What OpenSSL said last, for an exception text; clears its error queue.
[[noreturn]] void fail(const std::string& what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  char reason[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
  throw std::runtime_error(what + ": " + reason);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  std::unique_ptr<X509_EXTENSION, x509_extension_free> ext(
      X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail("cannot add extension " + value);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

pkey_ptr make_ec_key() {
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("cannot make an EC P-256 key");
  return key;
}

x509_ptr issue_certificate(const certificate_spec& spec, EVP_PKEY* key, X509* issuer,
                           EVP_PKEY* issuer_key) {
  x509_ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) fail("cannot make a certificate");

  // 159 random bits: positive, under the 20-byte limit of RFC 5280.
  std::unique_ptr<BIGNUM, bn_free> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
    fail("cannot make a serial number");

  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                       static_cast<long>(spec.not_before.count())) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(spec.not_after.count())))
    fail("cannot set the validity");

  std::unique_ptr<X509_NAME, x509_name_free> name(X509_NAME_new());
  if (!name ||
      X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                 -1, -1, 0) != 1 ||
      X509_set_subject_name(cert.get(), name.get()) != 1 ||
      X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name.get()) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1)
    fail("cannot set the names");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  add_extension(cert.get(), &ctx, NID_basic_constraints,
                spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(cert.get(), &ctx, NID_key_usage,
                spec.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  if (!spec.is_ca) {
    add_extension(cert.get(), &ctx, NID_ext_key_usage,
                  spec.client_auth ? "serverAuth,clientAuth" : "serverAuth");
  }
  add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  std::string alt_names;
  for (const auto& dns : spec.dns_names) alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& ip : spec.ip_addresses) alt_names += (alt_names.empty() ? "IP:" : ",IP:") + ip;
  if (!alt_names.empty()) add_extension(cert.get(), &ctx, NID_subject_alt_name, alt_names);

  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) fail("cannot sign the certificate");
  return cert;
}

std::string to_pem(EVP_PKEY* key) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot encode the key");
  return bio_text(bio.get());
}

std::string to_pem(X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) fail("cannot encode the certificate");
  return bio_text(bio.get());
}

x509_ptr read_certificate_file(const std::string& path) {
  bio_ptr bio(BIO_new_file(path.c_str(), "r"));
  x509_ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  return cert;
}

std::string fingerprint_sha256(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &size) != 1) fail("cannot digest the certificate");
  return format_sha256_fingerprint(std::string_view(reinterpret_cast<char*>(digest), size));
}

std::string fingerprint_sha256_of_file(const std::string& path) {
  const auto cert = read_certificate_file(path);
  return cert ? fingerprint_sha256(cert.get()) : std::string();
}

self_signed_files ensure_self_signed(const std::string& data_dir) {
  const std::string dir = data_dir + "/tls";
  self_signed_files files{dir + "/cert.pem", dir + "/key.pem", false};
  make_private_dir(dir);  // throws std::system_error; a looser mode is the caller's to report
  const bool have_cert = exists(files.cert_path);
  const bool have_key = exists(files.key_path);
  if (have_cert && have_key) return files;
  if (have_cert) {
    // A certificate without its key cannot serve, and a new key would not match it.
    throw std::runtime_error(files.cert_path + " exists without " + files.key_path +
                             "; remove it to have a new pair made");
  }
  // A key alone is what a start that died between the two writes leaves: no certificate was
  // ever shown with it, so a new pair replaces it.
  const auto key = make_ec_key();
  certificate_spec spec;
  spec.common_name = "swarmhub tracker";
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  const auto cert = issue_certificate(spec, key.get(), nullptr, key.get());
  // The key first, so that a start that dies in between leaves the replaceable half.
  if (auto error = write_private_file(files.key_path, to_pem(key.get())); !error.empty())
    throw std::runtime_error(error);
  if (auto error = write_private_file(files.cert_path, to_pem(cert.get())); !error.empty())
    throw std::runtime_error(error);
  files.created = true;
  return files;
}

}  // namespace swarmhub::net
