// RFC 9421 request signatures: the signature base byte for byte, the
// profile's refusals, the replay cache, and a micro benchmark (printed).
#include "api/request_signature.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>

#include "common/encoding.h"
#include "crypto/did_key.h"

namespace frontera::api {
namespace {

constexpr int64_t kNow = 1'700'000'000;

crypto::KeyPair TestKey(uint8_t first = 1) {
  crypto::InitCrypto();
  crypto::Seed seed{};
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(first + i);
  return crypto::KeyPair::FromSeed(seed);
}

SignatureOptions Options() {
  SignatureOptions options;
  options.window_s = 300;
  options.replay_entries_max = 1000;
  return options;
}

// A signed request the tests then tamper with.
struct Signed {
  std::string method = "POST";
  std::string target = "/v1/certificates/urn%3Auuid%3A1/events?x=1&y=%20";
  std::string body = R"({"type":"Event"})";
  std::map<std::string, std::string> headers;

  explicit Signed(const crypto::KeyPair& key, int64_t created = kNow,
                  std::string nonce = "nonce-0123456789abcdef") {
    headers = SignRequest(key, method, target, body, created, nonce);
    headers["content-type"] = "application/json";
  }
  HttpRequestView View() const { return HttpRequestView{method, target, &headers, body}; }
};

std::string Reason(const Result<Reader>& result) {
  REQUIRE_FALSE(result.ok());
  REQUIRE_FALSE(result.status().field_errors().empty());
  return result.status().field_errors().front().reason;
}

TEST_CASE("the signature base of a request is built as RFC 9421 §2.5 spells it") {
  const crypto::KeyPair key = TestKey();
  const std::string did = crypto::DidKeyFromPublicKey(key.public_key());
  std::map<std::string, std::string> headers = {
      {"content-digest", "  sha-256=:AAAA:  "},  // OWS around the value is not part of it
      {"frontera-consistency", "local"},
  };
  const std::string member = R"(("@method" "@path" "@query" "content-digest" )"
                             R"("frontera-consistency");created=1700000000;keyid=")" +
                             did + R"(";nonce="n-0123456789abcdef";alg="ed25519")";
  HttpRequestView request{"POST", "/v1/certificates/a%2Fb/events?limit=2&after=x%20y", &headers,
                          "{}"};
  Result<std::string> base = SignatureBase(request, member);
  REQUIRE_MESSAGE(base.ok(), base.status().ToString());
  const std::string expected =
      "\"@method\": POST\n"
      "\"@path\": /v1/certificates/a%2Fb/events\n"
      "\"@query\": ?limit=2&after=x%20y\n"
      "\"content-digest\": sha-256=:AAAA:\n"
      "\"frontera-consistency\": local\n"
      "\"@signature-params\": (\"@method\" \"@path\" \"@query\" "
      "\"content-digest\" \"frontera-consistency\");created=1700000000;"
      "keyid=\"" +
      did + "\";nonce=\"n-0123456789abcdef\";alg=\"ed25519\"";
  CHECK(*base == expected);

  // §2.2.7: no query is "?" alone; §2.2.6: the path as sent.
  HttpRequestView get{"GET", "/v1/blocks/7", &headers, ""};
  Result<std::string> get_base = SignatureBase(
      get, R"(("@method" "@path" "@query");created=1;keyid="k";nonce="n";alg="ed25519")");
  REQUIRE(get_base.ok());
  CHECK(*get_base ==
        "\"@method\": GET\n\"@path\": /v1/blocks/7\n\"@query\": ?\n"
        "\"@signature-params\": (\"@method\" \"@path\" \"@query\");created=1;keyid=\"k\";"
        "nonce=\"n\";alg=\"ed25519\"");
}

TEST_CASE("Content-Digest is RFC 9530 sha-256 of the body") {
  // SHA-256 of the empty string, a published value.
  CHECK(ContentDigest("") == "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
}

TEST_CASE("SignRequest writes the fields of the profile, which the verifier accepts") {
  const crypto::KeyPair key = TestKey();
  const std::string did = crypto::DidKeyFromPublicKey(key.public_key());
  Signed request(key);
  CHECK(request.headers.at("signature-input") ==
        "frontera=(\"@method\" \"@path\" \"@query\" \"content-digest\");created=1700000000;"
        "keyid=\"" +
            did + "\";nonce=\"nonce-0123456789abcdef\";alg=\"ed25519\"");
  CHECK(request.headers.at("content-digest") == ContentDigest(request.body));
  // The signature is over the base as SignatureBase builds it.
  std::string member =
      request.headers.at("signature-input").substr(std::string("frontera=").size());
  Result<std::string> base = SignatureBase(request.View(), member);
  REQUIRE(base.ok());
  std::string sig_field = request.headers.at("signature");
  Result<Bytes> sig = Base64Decode(sig_field.substr(10, sig_field.size() - 11));
  REQUIRE(sig.ok());
  Result<crypto::Signature> signature = crypto::SignatureFromBytes(*sig);
  REQUIRE(signature.ok());
  CHECK(crypto::Verify(key.public_key(), *base, *signature));

  RequestVerifier verifier(Options());
  Result<Reader> reader = verifier.Verify(request.View(), kNow + 10);
  REQUIRE_MESSAGE(reader.ok(), reader.status().ToString());
  CHECK(reader->did == did);
  CHECK(verifier.ReplayEntries() == 1);

  // A GET without a body needs no Content-Digest.
  std::map<std::string, std::string> get =
      SignRequest(key, "GET", "/v1/blocks/3", "", kNow, RandomNonce());
  CHECK_FALSE(get.contains("content-digest"));
  Result<Reader> get_reader =
      verifier.Verify(HttpRequestView{"GET", "/v1/blocks/3", &get, ""}, kNow);
  REQUIRE_MESSAGE(get_reader.ok(), get_reader.status().ToString());
  CHECK(get_reader->did == did);
}

TEST_CASE("a request without signature fields is anonymous") {
  RequestVerifier verifier(Options());
  std::map<std::string, std::string> headers = {{"accept", "application/json"}};
  Result<Reader> reader =
      verifier.Verify(HttpRequestView{"GET", "/v1/blocks/1", &headers, ""}, kNow);
  REQUIRE(reader.ok());
  CHECK(reader->anonymous());
}

TEST_CASE("a tampered request is refused with the reason") {
  const crypto::KeyPair key = TestKey();
  RequestVerifier verifier(Options());

  SUBCASE("another method") {
    Signed r(key);
    r.method = "PUT";
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("does not verify") != std::string::npos);
  }
  SUBCASE("another path") {
    Signed r(key);
    r.target = "/v1/certificates/urn%3Auuid%3A2/events?x=1&y=%20";
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("does not verify") != std::string::npos);
  }
  SUBCASE("another query") {
    Signed r(key);
    r.target = "/v1/certificates/urn%3Auuid%3A1/events?x=2&y=%20";
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("does not verify") != std::string::npos);
  }
  SUBCASE("another body than the digest's") {
    Signed r(key);
    r.body = R"({"type":"Other"})";
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("does not match the body") !=
          std::string::npos);
  }
  SUBCASE("a body the signature does not cover") {
    std::map<std::string, std::string> headers =
        SignRequest(key, "POST", "/v1/certificates", "", kNow, RandomNonce());
    CHECK(Reason(verifier.Verify(HttpRequestView{"POST", "/v1/certificates", &headers, "{}"}, kNow))
              .find("does not cover \"content-digest\"") != std::string::npos);
  }
  SUBCASE("another digest, consistent with the body but not signed") {
    Signed r(key);
    r.body = "{}";
    r.headers["content-digest"] = ContentDigest(r.body);
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("does not verify") != std::string::npos);
  }
  SUBCASE("created outside the window") {
    Signed r(key, kNow - 301);
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("behind this node's clock") !=
          std::string::npos);
    Signed ahead(key, kNow + 301);
    CHECK(Reason(verifier.Verify(ahead.View(), kNow)).find("ahead of this node's clock") !=
          std::string::npos);
    Signed edge(key, kNow - 300);
    CHECK(verifier.Verify(edge.View(), kNow).ok());
  }
  SUBCASE("a replayed nonce") {
    Signed r(key);
    REQUIRE(verifier.Verify(r.View(), kNow).ok());
    CHECK(Reason(verifier.Verify(r.View(), kNow + 1)).find("replayed") != std::string::npos);
    // Another key may use the same nonce.
    Signed other(TestKey(50));
    CHECK(verifier.Verify(other.View(), kNow).ok());
  }
  SUBCASE("a key that is not a did:key") {
    Signed r(key);
    std::string& input = r.headers["signature-input"];
    const size_t start = input.find("keyid=\"") + 7;
    input.replace(start, input.find('"', start) - start, "did:web:example.com");
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("not a key this node knows") !=
          std::string::npos);
  }
  SUBCASE("another key than the signer's") {
    Signed r(key);
    std::string& input = r.headers["signature-input"];
    const size_t start = input.find("keyid=\"") + 7;
    input.replace(start, input.find('"', start) - start,
                  crypto::DidKeyFromPublicKey(TestKey(9).public_key()));
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("does not verify") != std::string::npos);
  }
  SUBCASE("labels that differ") {
    Signed r(key);
    r.headers["signature"].replace(0, 8, "other");
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("label") != std::string::npos);
  }
  SUBCASE("two signatures") {
    Signed r(key);
    r.headers["signature"] += ", b=:AAAA:";
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("exactly one signature") !=
          std::string::npos);
  }
  SUBCASE("a missing field") {
    Signed r(key);
    r.headers.erase("signature");
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("no Signature") != std::string::npos);
  }
  SUBCASE("a required component left out") {
    std::map<std::string, std::string> headers = {{"signature", "s=:AAAA:"}};
    headers["signature-input"] = "s=(\"@method\" \"@path\");created=" + std::to_string(kNow) +
                                 ";keyid=\"" + crypto::DidKeyFromPublicKey(key.public_key()) +
                                 "\";nonce=\"0123456789abcdefgh\";alg=\"ed25519\"";
    Result<Reader> result = verifier.Verify(HttpRequestView{"GET", "/", &headers, ""}, kNow);
    // The signature's size is checked first; give it 64 bytes.
    headers["signature"] = "s=:" + Base64Encode(Bytes(64, 0)) + ":";
    result = verifier.Verify(HttpRequestView{"GET", "/", &headers, ""}, kNow);
    CHECK(Reason(result).find("does not cover \"@query\"") != std::string::npos);
  }
  SUBCASE("an unknown parameter, a wrong alg, a short nonce") {
    for (auto [from, to, reason] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {";alg=\"ed25519\"", ";alg=\"ed25519\";foo=1", "parameter foo is not known"},
             {";alg=\"ed25519\"", ";alg=\"rsa-pss-sha512\"", "not supported"},
             {";alg=\"ed25519\"", "", "alg is missing"},
             {"nonce=\"nonce-0123456789abcdef\"", "nonce=\"short\"", "nonce has 5 characters"},
             {"created=1700000000", "created=\"1700000000\"", "must be an integer"},
         }) {
      Signed r(key);
      std::string& input = r.headers["signature-input"];
      REQUIRE(input.find(from) != std::string::npos);
      input.replace(input.find(from), from.size(), to);
      CHECK_MESSAGE(Reason(verifier.Verify(r.View(), kNow)).find(reason) != std::string::npos,
                    reason);
    }
  }
  SUBCASE("malformed structured fields") {
    for (auto [field, value, reason] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"signature-input", "", "empty"},
             {"signature-input", "frontera=(\"@method\"", "expected"},
             {"signature-input", "Frontera=(\"@method\")", "lower-case key"},
             {"signature-input", "a=(\"@method\"),", "ends with \",\""},
             {"signature-input", "a=(\"@meth\x01od\")", "printable ASCII"},
             {"signature-input", "a=(\"@method\");created=1.5", "decimals"},
             {"signature-input", "a=(\"@method\");created=1234567890123456", "15 digits"},
             {"signature-input", "a=(\"@method\");created=1;created=2", "twice"},
             {"signature", "frontera=:AAA@:", "outside base64"},
             {"signature", "frontera=:AAAA", "not closed"},
             {"signature", "frontera=:AAAA:", "64"},
             {"signature", "frontera=(\"a\")", "not a byte sequence"},
             {"content-digest", "sha-512=:AAAA:", "no sha-256"},
             {"content-digest", "sha-256=\"x\"", "must be a byte sequence"},
         }) {
      Signed r(key);
      r.headers[field] = value;
      CHECK_MESSAGE(Reason(verifier.Verify(r.View(), kNow)).find(reason) != std::string::npos,
                    std::string(field + ": " + value + " -> " + reason));
    }
    Signed r(key);
    r.headers["signature-input"] = std::string(5000, 'a');
    CHECK(Reason(verifier.Verify(r.View(), kNow)).find("signature_field_bytes_max") !=
          std::string::npos);
  }
  // Nothing refused was remembered.
  CHECK(verifier.ReplayEntries() <= 2);
}

TEST_CASE("the replay cache is bounded and forgets nonces whose window closed") {
  const crypto::KeyPair key = TestKey();
  SignatureOptions options = Options();
  options.replay_entries_max = 1000;
  RequestVerifier verifier(options);
  for (int i = 0; i < 1000; ++i) {
    Signed r(key, kNow, "nonce-number-" + std::to_string(100000 + i));
    REQUIRE(verifier.Verify(r.View(), kNow).ok());
  }
  Signed one_more(key, kNow, "nonce-number-one-more");
  Result<Reader> full = verifier.Verify(one_more.View(), kNow);
  REQUIRE_FALSE(full.ok());
  CHECK(full.status().IsResourceExhausted());
  CHECK(UnauthenticatedProblem(full.status()).status == 429);
  // Once their window closed, the old nonces go.
  Signed later(key, kNow + 301, "nonce-number-later");
  CHECK(verifier.Verify(later.View(), kNow + 301).ok());
  CHECK(verifier.ReplayEntries() == 1);
}

TEST_CASE("a refused signature is a 401 problem naming the header") {
  const crypto::KeyPair key = TestKey();
  RequestVerifier verifier(Options());
  Signed r(key);
  r.method = "GET";
  Result<Reader> result = verifier.Verify(r.View(), kNow);
  REQUIRE_FALSE(result.ok());
  Problem problem = UnauthenticatedProblem(result.status());
  CHECK(problem.status == 401);
  REQUIRE(problem.errors.size() == 1);
  CHECK(problem.errors[0].pointer == "/headers/signature");
  CHECK(problem.detail.find("signature is refused") != std::string::npos);
}

TEST_CASE("signature options are validated") {
  SignatureOptions options;
  CHECK(options.Validate().ok());
  options.window_s = 5;
  options.replay_entries_max = 10;
  Status status = options.Validate();
  REQUIRE(status.IsInvalidArgument());
  CHECK(status.field_errors().size() == 2);
  CHECK(status.field_errors()[0].pointer == "/signature_window_s");
}

TEST_CASE("benchmark: verifying one signed request (printed, not asserted)") {
  const crypto::KeyPair key = TestKey();
  SignatureOptions options = Options();
  options.replay_entries_max = 100000;
  RequestVerifier verifier(options);
  constexpr int kRequests = 2000;
  std::vector<Signed> requests;
  requests.reserve(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    requests.emplace_back(key, kNow, "bench-nonce-" + std::to_string(1000000 + i));
  }
  const auto start = std::chrono::steady_clock::now();
  int accepted = 0;
  for (const Signed& r : requests) accepted += verifier.Verify(r.View(), kNow).ok() ? 1 : 0;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(accepted == kRequests);
  std::printf("request signature verification: %.1f us per request (%d requests, %zu-byte body)\n",
              seconds * 1e6 / kRequests, kRequests, requests.front().body.size());
}

}  // namespace
}  // namespace frontera::api
