#include "crypto/data_integrity.h"

#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/did_key.h"

namespace frontera::crypto {
namespace {

[[maybe_unused]] const bool kCryptoReady = (InitCrypto(), true);

const char* const kSecuredFixtures[] = {"pharma-credential.json", "precursor-credential.json",
                                        "shipping-event.json"};

Json ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseJson(ss.str()).value();
}

// The fixture key whose verification method signed `document`.
KeyPair SignerOf(const Json& document) {
  Json parties = ReadFixture("parties.json")["parties"];
  for (const auto& [name, party] : parties.items()) {
    if (party["verificationMethod"] == document["proof"]["verificationMethod"]) {
      Bytes seed = HexDecode(party["testSeedHex"].get<std::string>()).value();
      return KeyPair::FromSeed(SeedFromBytes(seed).value());
    }
  }
  FAIL("no party signed this document");
  return KeyPair::Generate();
}

FieldError ErrorOf(const Result<VerifiedProof>& result) {
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().IsInvalidArgument());
  REQUIRE(result.status().field_errors().size() == 1);
  return result.status().field_errors()[0];
}

TEST_CASE("fixtures: VerifyProof accepts the independently signed documents") {
  for (const std::string name : kSecuredFixtures) {
    CAPTURE(name);
    Json document = ReadFixture(name);
    Result<VerifiedProof> verified = VerifyProof(document);
    REQUIRE(verified.ok());
    CHECK(verified->controller == "did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3");
    CHECK(verified->verification_method == document["proof"]["verificationMethod"]);
    CHECK(verified->created == document["proof"]["created"]);
    CHECK(verified->proof_purpose == "assertionMethod");
    CHECK(DidKeyFromPublicKey(verified->public_key) == verified->controller);
  }
}

TEST_CASE("fixtures: CreateProof reproduces the exact proof with the same key and options") {
  for (const std::string name : kSecuredFixtures) {
    CAPTURE(name);
    Json secured = ReadFixture(name);
    Json unsecured = secured;
    unsecured.erase("proof");
    ProofOptions options;
    options.created = secured["proof"]["created"].get<std::string>();
    options.verification_method = secured["proof"]["verificationMethod"].get<std::string>();
    Result<Json> created = CreateProof(unsecured, options, SignerOf(secured));
    REQUIRE(created.ok());
    CHECK((*created)["proof"]["proofValue"] == secured["proof"]["proofValue"]);
    CHECK(*created == secured);
  }
}

// Every JSON pointer to a value inside `value` (not the root itself).
void CollectPointers(const Json& value, const Json::json_pointer& at,
                     std::vector<Json::json_pointer>& out) {
  if (value.is_object()) {
    for (const auto& [name, member] : value.items()) {
      out.push_back(at / name);
      CollectPointers(member, at / name, out);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      out.push_back(at / i);
      CollectPointers(value[i], at / i, out);
    }
  }
}

void Mutate(Json& v) {
  if (v.is_string()) {
    v = v.get<std::string>() + "x";
  } else if (v.is_number_integer()) {
    v = v.get<int64_t>() + 1;
  } else if (v.is_number()) {
    v = v.get<double>() * 2 + 1;
  } else if (v.is_boolean()) {
    v = !v.get<bool>();
  } else if (v.is_null()) {
    v = 0;
  } else if (v.is_array()) {
    v.push_back("extra");
  } else {
    v["extra"] = true;
  }
}

TEST_CASE("fixtures: any single changed, removed or added field fails verification") {
  for (const std::string name : kSecuredFixtures) {
    CAPTURE(name);
    Json secured = ReadFixture(name);
    std::vector<Json::json_pointer> pointers;
    CollectPointers(secured, Json::json_pointer(), pointers);
    REQUIRE(pointers.size() > 20);
    for (const Json::json_pointer& pointer : pointers) {
      CAPTURE(pointer.to_string());
      Json changed = secured;
      if (pointer.to_string() == "/@context") {
        // Appending to the document's @context is allowed by §3.3.2 (tested
        // below); changing its signed prefix is not.
        changed["@context"].insert(changed["@context"].begin(), "https://example.com/first");
      } else {
        Mutate(changed[pointer]);
      }
      CHECK_FALSE(VerifyProof(changed).ok());

      Json removed = secured;
      Json& parent = removed[pointer.parent_pointer()];
      if (parent.is_object()) {
        parent.erase(pointer.back());
      } else {
        parent.erase(std::stoul(pointer.back()));
      }
      CHECK_FALSE(VerifyProof(removed).ok());
    }
    Json added = secured;
    added["note"] = "added after signing";
    CHECK_FALSE(VerifyProof(added).ok());
  }
}

TEST_CASE("VerifyProof names the offending field") {
  Json good = ReadFixture("pharma-credential.json");
  auto with = [&](const std::function<void(Json&)>& change) {
    Json doc = good;
    change(doc);
    return ErrorOf(VerifyProof(doc));
  };
  CHECK(ErrorOf(VerifyProof(Json::array())).pointer == "");
  CHECK(with([](Json& d) { d.erase("proof"); }).pointer == "/proof");
  CHECK(with([](Json& d) { d["proof"] = Json::array({d["proof"]}); }).pointer == "/proof");
  CHECK(with([](Json& d) { d["proof"] = "z123"; }).pointer == "/proof");
  CHECK(with([](Json& d) { d["proof"]["type"] = "Ed25519Signature2020"; }).pointer ==
        "/proof/type");
  FieldError suite = with([](Json& d) { d["proof"]["cryptosuite"] = "eddsa-rdfc-2022"; });
  CHECK(suite.pointer == "/proof/cryptosuite");
  CHECK(suite.reason.find("cryptosuite must be eddsa-jcs-2022") != std::string::npos);
  CHECK(with([](Json& d) { d["proof"].erase("cryptosuite"); }).pointer == "/proof/cryptosuite");
  CHECK(with([](Json& d) { d["proof"]["proofPurpose"] = "authentication"; }).pointer ==
        "/proof/proofPurpose");
  CHECK(with([](Json& d) {
          d["proof"]["verificationMethod"] = "did:web:example.com#key-1";
        }).pointer == "/proof/verificationMethod");
  CHECK(with([](Json& d) { d["proof"]["verificationMethod"] = 7; }).pointer ==
        "/proof/verificationMethod");
  CHECK(with([](Json& d) { d["proof"]["created"] = "2026-11-02 14:05:00"; }).pointer ==
        "/proof/created");
  CHECK(with([](Json& d) {
          d["proof"]["proofValue"] = "u" + d["proof"]["proofValue"].get<std::string>().substr(1);
        }).pointer == "/proof/proofValue");
  CHECK(with([](Json& d) { d["proof"]["proofValue"] = "z0OIl"; }).pointer == "/proof/proofValue");
  CHECK(with([](Json& d) {
          d["proof"]["proofValue"] = "z" + Base58Encode(Bytes(63, 7));
        }).pointer == "/proof/proofValue");
  CHECK(with([](Json& d) { d["proof"]["proofValue"] = "z" + std::string(200, '2'); }).pointer ==
        "/proof/proofValue");
  FieldError signature = with([](Json& d) { d["credentialSubject"]["lot"] = "LOT42B"; });
  CHECK(signature.pointer == "/proof/proofValue");
  CHECK(signature.reason.find("signature does not verify") != std::string::npos);
  CHECK(with([](Json& d) { d.erase("@context"); }).pointer == "/@context");
  CHECK(with([](Json& d) {
          d["@context"] =
              Json::array({"https://example.com/first", "https://www.w3.org/ns/credentials/v2",
                           "https://frontera.example/ns/v1"});
        }).pointer == "/@context");
  // A proof signed by another key than its verification method names.
  Json other = good;
  KeyPair stranger = KeyPair::Generate();
  other["proof"]["verificationMethod"] = VerificationMethodFromPublicKey(stranger.public_key());
  CHECK(ErrorOf(VerifyProof(other)).pointer == "/proof/proofValue");
}

TEST_CASE("§3.3.2: the document's @context must equal the proof's, which is hashed") {
  KeyPair key = KeyPair::Generate();
  ProofOptions options;
  options.created = "2026-01-02T03:04:05Z";
  options.verification_method = VerificationMethodFromPublicKey(key.public_key());
  Json doc = {{"@context", Json::array({"https://www.w3.org/ns/credentials/v2"})}, {"id", "urn:x"}};
  Json secured = CreateProof(doc, options, key).value();
  CHECK(secured["proof"]["@context"] == doc["@context"]);
  REQUIRE(VerifyProof(secured).ok());

  // Appending a context after signing keeps the signed prefix, and the
  // document is hashed with the proof's @context, so the signature alone
  // would still verify: the lists must be equal.
  Json appended = secured;
  appended["@context"].push_back("https://example.com/more");
  CHECK(ErrorOf(VerifyProof(appended)).pointer == "/@context");
  // Prepending changes the prefix: rejected.
  Json prepended = secured;
  prepended["@context"].insert(prepended["@context"].begin(), "https://example.com/first");
  CHECK(ErrorOf(VerifyProof(prepended)).pointer == "/@context");
  // A string @context is a one-element list.
  Json as_string = secured;
  as_string["@context"] = "https://www.w3.org/ns/credentials/v2";
  CHECK(VerifyProof(as_string).ok());
}

TEST_CASE("a proof without @context binds the document's @context through the hash") {
  KeyPair key = KeyPair::Generate();
  ProofOptions options;
  options.created = "2026-01-02T03:04:05.123+01:00";
  options.verification_method = VerificationMethodFromPublicKey(key.public_key());
  options.include_context = false;
  Json doc = {{"@context", "https://www.w3.org/ns/credentials/v2"}, {"n", 1.5}};
  Json secured = CreateProof(doc, options, key).value();
  CHECK_FALSE(secured["proof"].contains("@context"));
  REQUIRE(VerifyProof(secured).ok());
  Json changed = secured;
  changed["@context"] = Json::array({"https://www.w3.org/ns/credentials/v2", "x"});
  CHECK(ErrorOf(VerifyProof(changed)).pointer == "/proof/proofValue");
  // Documents without any @context are signed and verified too.
  Json plain = CreateProof(Json{{"a", 1}}, options, key).value();
  CHECK(VerifyProof(plain).ok());
}

TEST_CASE("CreateProof rejects what it cannot sign") {
  KeyPair key = KeyPair::Generate();
  ProofOptions options;
  options.created = "2026-11-02T14:05:00Z";
  options.verification_method = VerificationMethodFromPublicKey(key.public_key());
  CHECK(CreateProof(Json::array(), options, key).status().IsInvalidArgument());
  CHECK_FALSE(CreateProof(Json{{"proof", {}}}, options, key).ok());

  ProofOptions wrong_key = options;
  wrong_key.verification_method = VerificationMethodFromPublicKey(KeyPair::Generate().public_key());
  Result<Json> mismatch = CreateProof(Json::object(), wrong_key, key);
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.status().field_errors()[0].pointer == "/proof/verificationMethod");

  ProofOptions not_did_key = options;
  not_did_key.verification_method = "https://example.com/keys/1";
  CHECK_FALSE(CreateProof(Json::object(), not_did_key, key).ok());
  ProofOptions bad_time = options;
  bad_time.created = "yesterday";
  CHECK_FALSE(CreateProof(Json::object(), bad_time, key).ok());
  ProofOptions purpose = options;
  purpose.proof_purpose = "authentication";
  CHECK_FALSE(CreateProof(Json::object(), purpose, key).ok());
  CHECK(CreateProof(Json::object(), options, key).ok());
}

TEST_CASE("proof sets: each proof signs the document alone; every one must verify") {
  KeyPair first = KeyPair::Generate();
  KeyPair second = KeyPair::Generate();
  auto options_of = [](const KeyPair& key) {
    ProofOptions options;
    options.created = "2026-12-06T10:00:00Z";
    options.verification_method = VerificationMethodFromPublicKey(key.public_key());
    return options;
  };
  const Json unsecured = {{"@context", {"https://www.w3.org/ns/credentials/v2"}},
                          {"type", "CredentialRevocation"},
                          {"reason", "illegitimate product"}};
  Result<Json> one = AddProof(unsecured, options_of(first), first);
  REQUIRE(one.ok());
  CHECK((*one)["proof"].is_object());  // a first proof is a single proof
  Result<Json> two = AddProof(*one, options_of(second), second);
  REQUIRE(two.ok());
  REQUIRE((*two)["proof"].is_array());
  REQUIRE((*two)["proof"].size() == 2);
  // Independent: each is the proof its key makes over the unsecured document.
  CHECK((*two)["proof"][0] == (*one)["proof"]);
  CHECK((*two)["proof"][1] == CreateProof(unsecured, options_of(second), second).value()["proof"]);

  Result<std::vector<VerifiedProof>> verified = VerifyProofs(*two);
  REQUIRE_MESSAGE(verified.ok(), verified.status().ToString());
  REQUIRE(verified->size() == 2);
  CHECK((*verified)[0].public_key == first.public_key());
  CHECK((*verified)[1].public_key == second.public_key());
  CHECK(VerifyProofs(*one)->size() == 1);
  // A single-proof verifier does not take a set.
  CHECK(ErrorOf(VerifyProof(*two)).pointer == "/proof");

  Json tampered = *two;
  tampered["proof"][1]["created"] = "2026-12-06T10:00:01Z";
  FieldError e = VerifyProofs(tampered).status().field_errors().at(0);
  CHECK(e.pointer == "/proof/1/proofValue");
  Json changed = *two;
  changed["reason"] = "suspect product";
  CHECK(VerifyProofs(changed).status().field_errors().at(0).pointer == "/proof/0/proofValue");
  Json empty = unsecured;
  empty["proof"] = Json::array();
  CHECK(VerifyProofs(empty).status().field_errors().at(0).pointer == "/proof");

  Json full = *one;
  for (size_t i = 1; i < kProofSetMax; ++i) {
    KeyPair k = KeyPair::Generate();
    full = AddProof(full, options_of(k), k).value();
  }
  CHECK(full["proof"].size() == kProofSetMax);
  CHECK(ProofSignerDids(*two) ==
        std::vector<std::string>{DidKeyFromPublicKey(first.public_key()),
                                 DidKeyFromPublicKey(second.public_key())});
  CHECK(ProofSignerDids(*one).size() == 1);
  CHECK(ProofSignerDids(unsecured).empty());
  CHECK(VerifyProofs(full).ok());
  KeyPair extra = KeyPair::Generate();
  CHECK(AddProof(full, options_of(extra), extra).status().field_errors().at(0).pointer == "/proof");
}

TEST_CASE("IsRfc3339DateTime") {
  CHECK(IsRfc3339DateTime("2026-11-02T14:05:00Z"));
  CHECK(IsRfc3339DateTime("2026-11-03T09:30:00.000-06:00"));
  CHECK(IsRfc3339DateTime("2024-02-29T23:59:60+14:00"));  // leap day, leap second
  CHECK(IsRfc3339DateTime("2000-02-29T00:00:00.5Z"));
  CHECK_FALSE(IsRfc3339DateTime(""));
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02"));
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02T14:05:00"));   // no offset
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02t14:05:00z"));  // dateTimeStamp wants upper case
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02 14:05:00Z"));
  CHECK_FALSE(IsRfc3339DateTime("2023-02-29T00:00:00Z"));  // not a leap year
  CHECK_FALSE(IsRfc3339DateTime("1900-02-29T00:00:00Z"));  // century rule
  CHECK_FALSE(IsRfc3339DateTime("2026-04-31T00:00:00Z"));
  CHECK_FALSE(IsRfc3339DateTime("2026-13-01T00:00:00Z"));
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02T24:00:00Z"));
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02T14:60:00Z"));
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02T14:05:61Z"));
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02T14:05:00.Z"));
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02T14:05:00+0100"));
  CHECK_FALSE(IsRfc3339DateTime("2026-11-02T14:05:00+01:00 "));
  CHECK_FALSE(IsRfc3339DateTime("+2026-11-02T14:05:00Z"));
}

}  // namespace
}  // namespace frontera::crypto
