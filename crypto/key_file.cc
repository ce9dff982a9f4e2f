#include "crypto/key_file.h"

#include "common/encoding.h"
#include "common/files.h"
#include "crypto/did_key.h"

namespace frontera::crypto {

namespace {

constexpr size_t kKeyFileBytesMax = 64 << 10;

Status MemberError(std::string_view pointer, std::string_view reason) {
  return Status::InvalidArgument("not a valid key file",
                                 {FieldError{std::string(pointer), std::string(reason)}});
}

}  // namespace

Json KeyFileJson(const KeyPair& key) {
  return Json{
      {"did", DidKeyFromPublicKey(key.public_key())},
      {"verificationMethod", VerificationMethodFromPublicKey(key.public_key())},
      {"publicKeyHex", HexEncode(key.public_key())},
      {"seedHex", HexEncode(key.seed())},
  };
}

Result<Seed> ParseSeedHex(std::string_view hex) {
  auto bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != Seed{}.size()) {
    return Status::InvalidArgument("a seed must be 64 hex digits (32 bytes)");
  }
  return SeedFromBytes(*bytes);
}

Result<KeyPair> KeyPairFromKeyFileJson(const Json& document) {
  if (!document.is_object()) return MemberError("", "a key file is a JSON object");
  auto seed_member = document.find("seedHex");
  if (seed_member == document.end() || !seed_member->is_string()) {
    return MemberError("/seedHex", "missing: the 64 hex digit Ed25519 seed");
  }
  auto seed = ParseSeedHex(seed_member->get<std::string>());
  if (!seed.ok()) return MemberError("/seedHex", "must be 64 hex digits (32 bytes)");
  KeyPair key = KeyPair::FromSeed(*seed);
  // The other members are conveniences; if present they must describe this
  // key, or the file was edited or mixed up.
  Json expected = KeyFileJson(key);
  for (const char* name : {"did", "verificationMethod", "publicKeyHex"}) {
    auto member = document.find(name);
    if (member == document.end()) continue;
    if (!member->is_string() || *member != expected[name]) {
      return MemberError(std::string("/") + name,
                         "does not match the key derived from seedHex (expected " +
                             expected[name].get<std::string>() + ")");
    }
  }
  return key;
}

Status WriteKeyFile(const std::string& path, const KeyPair& key) {
  const std::string text = KeyFileJson(key).dump(2) + "\n";
  // Never overwrites a key, never follows a planted link; readable by the
  // owner only from the moment it exists.
  Status written = WriteNewFile(path, text, 0600);
  if (written.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists(path + " exists; not overwriting a key");
  }
  return written;
}

Result<KeyPair> LoadKeyFile(const std::string& path) {
  // A key file is a small regular file: a device (/dev/zero), a FIFO or a
  // huge file is refused before anything is read, and at most
  // kKeyFileBytesMax + 1 bytes are ever read.
  Result<std::string> read = ReadSmallFile(path, kKeyFileBytesMax);
  if (read.status().IsResourceExhausted()) {
    return Status::InvalidArgument(path + " is larger than a key file can be (64 KiB)");
  }
  if (!read.ok()) return read.status().WithContext("key file");
  const std::string& text = *read;
  auto document = ParseJson(text);
  if (!document.ok()) return document.status().WithContext(path);
  auto key = KeyPairFromKeyFileJson(*document);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

}  // namespace frontera::crypto
