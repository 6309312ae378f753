// Suite names and the one place that maps a suite to its implementation.
#include "ftpchat/cipher/record_cipher.hpp"

#include <sodium.h>

#include <utility>

#include "mono24_cipher.hpp"
#include "xchacha_cipher.hpp"

namespace ftpchat {

const char* suite_name(Suite suite) {
  switch (suite) {
    case Suite::xchacha20poly1305:
      return "xchacha20poly1305";
    case Suite::mono24_insecure:
      return "mono24";
  }
  return "unknown";
}

std::string RecordCipher::seal(std::string_view plaintext, std::string_view ad) const {
  Nonce nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return seal_with_nonce(plaintext, ad, nonce);
}

std::unique_ptr<RecordCipher> make_record_cipher(Suite suite, SecretBytes key) {
  switch (suite) {
    case Suite::xchacha20poly1305:
      return make_xchacha_cipher(std::move(key));
    case Suite::mono24_insecure:
      return make_mono24_cipher(std::move(key));
  }
  return nullptr;
}

}  // namespace ftpchat
