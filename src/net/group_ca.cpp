#include "swarmhub/net/group_ca.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <stdexcept>

#include "swarmhub/net/tls_certificate.hpp"

namespace swarmhub::net {
namespace {

struct bio_free {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using bio_ptr = std::unique_ptr<BIO, bio_free>;

struct pkey_ctx_free {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

pkey_ptr read_private_key(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  pkey_ptr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) throw std::runtime_error("the group's CA key cannot be read");
  return key;
}

x509_ptr read_certificate(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  x509_ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) throw std::runtime_error("the group's CA certificate cannot be read");
  return cert;
}

bool is_p256(EVP_PKEY* key) {
  char curve[64] = {};
  std::size_t length = 0;
  return EVP_PKEY_is_a(key, "EC") &&
         EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                        &length) == 1 &&
         std::string_view(curve, length) == "prime256v1";
}

}  // namespace

group_ca make_group_ca(std::string_view group) {
  const auto key = make_ec_key();
  certificate_spec spec;
  spec.common_name = "swarmhub group " + std::string(group);
  spec.not_after = std::chrono::hours(24 * 36525);
  spec.is_ca = true;
  const auto cert = issue_certificate(spec, key.get(), nullptr, key.get());
  return {to_pem(key.get()), to_pem(cert.get())};
}

member_certificate issue_member_certificate(const group_ca& ca, std::string_view public_key_der,
                                            std::string_view user, std::chrono::seconds lifetime) {
  const auto* der = reinterpret_cast<const unsigned char*>(public_key_der.data());
  pkey_ptr key(d2i_PUBKEY(nullptr, &der, static_cast<long>(public_key_der.size())));
  const bool whole = key && der == reinterpret_cast<const unsigned char*>(public_key_der.data()) +
                                       public_key_der.size();
  if (!whole || !is_p256(key.get())) {
    ERR_clear_error();
    throw std::invalid_argument("the public key must be an EC P-256 key (DER, base64)");
  }
  const auto ca_key = read_private_key(ca.key_pem);
  const auto ca_cert = read_certificate(ca.cert_pem);
  certificate_spec spec;
  spec.common_name = std::string(user);
  spec.dns_names = {"*"};
  spec.not_before = -std::chrono::minutes(1);
  spec.not_after = lifetime;
  spec.client_auth = true;
  const auto cert = issue_certificate(spec, key.get(), ca_cert.get(), ca_key.get());
  return {to_pem(cert.get()), static_cast<std::int64_t>(std::time(nullptr)) + lifetime.count()};
}

member_key make_member_key() {
  const auto key = make_ec_key();
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(key.get(), &der);
  if (size <= 0) throw std::runtime_error("cannot encode the public key");
  member_key out{to_pem(key.get()),
                 std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size))};
  OPENSSL_free(der);
  return out;
}

const std::string& dh_params_pem() {
  static const std::string pem = [] {
    std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_free> ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
    EVP_PKEY* params = nullptr;
    if (!ctx || EVP_PKEY_paramgen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_dh_nid(ctx.get(), NID_ffdhe2048) != 1 ||
        EVP_PKEY_paramgen(ctx.get(), &params) != 1) {
      ERR_clear_error();
      return std::string();
    }
    const pkey_ptr owned(params);
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_Parameters(bio.get(), params) != 1) {
      ERR_clear_error();
      return std::string();
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
  }();
  return pem;
}

}  // namespace swarmhub::net
