#pragma once
// Self-signed certificates made at test time with OpenSSL's C API (nothing
// checked in, nothing expiring): one serves as both the server's certificate
// and the client's CA file. Not thread-safe; one per test.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace gempool::upstream::testing {

class TestCertificate {
 public:
  // `common_name` tells certificates apart; `subject_alt_names` in OpenSSL's
  // config form ("DNS:localhost,IP:127.0.0.1").
  TestCertificate(const std::string& common_name, const std::string& subject_alt_names)
      : key_(EVP_EC_gen("P-256"), EVP_PKEY_free), cert_(X509_new(), X509_free) {
    X509* x = cert_.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
    X509_set_pubkey(x, key_.get());
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(x, name);
    AddExtension(NID_subject_alt_name, subject_alt_names);
    AddExtension(NID_basic_constraints, "critical,CA:TRUE");
    X509_sign(x, key_.get(), EVP_sha256());
  }

  // Writes the certificate as a PEM CA file under the test temp dir.
  std::string WriteCaFile(const std::string& name) const {
    const std::string path = ::testing::TempDir() + name + ".pem";
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert_.get());
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(data, size);
    BIO_free(bio);
    return path;
  }

  // A server context presenting this certificate.
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ServerContext() const {
    std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> context(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    SSL_CTX_use_certificate(context.get(), cert_.get());
    SSL_CTX_use_PrivateKey(context.get(), key_.get());
    return context;
  }

 private:
  void AddExtension(int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert_.get(), cert_.get(), nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    ASSERT_NE(extension, nullptr) << value;
    X509_add_ext(cert_.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }

  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key_;
  std::unique_ptr<X509, void (*)(X509*)> cert_;
};

}  // namespace gempool::upstream::testing
