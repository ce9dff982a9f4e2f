// node::WitnessSubmitter through its HTTP seam: the add-checkpoint bodies it
// sends, the 409 resend from the witness's size, and witnesses that lie or
// are down (counted, retried, never blocking Submit or shutdown).
#include "node/witness_submitter.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/encoding.h"
#include "crypto/tlog_witness.h"

namespace frontera::node {
namespace {

[[maybe_unused]] const bool kCryptoReady = (crypto::InitCrypto(), true);

crypto::KeyPair KeyOf(uint8_t fill) {
  crypto::Seed seed{};
  seed.fill(fill);
  return crypto::KeyPair::FromSeed(seed);
}

const crypto::KeyPair kValidator = KeyOf(0x11);
const crypto::KeyPair kWitness = KeyOf(0x22);

ledger::Witness TheWitness() {
  return {"w.example", kWitness.public_key(), "", "http://127.0.0.1:1/prefix"};
}

std::string CheckpointText(uint64_t size) {
  crypto::Checkpoint cp;
  cp.origin = "frontera.example/test";
  cp.tree_size = size;
  cp.root.fill(static_cast<uint8_t>(size));
  return crypto::FormatCheckpointBody(cp);
}

std::string PublishedNote(uint64_t size) {
  return crypto::CosignNote(CheckpointText(size), {{"us-cbp", &kValidator}}, 1800000000);
}

WitnessConfig FastConfig() {
  WitnessConfig c;
  c.retry_backoff_min_ms = 10;
  c.retry_backoff_max_ms = 20;
  return c;
}

template <typename Pred>
void WaitFor(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// The witness's cosignature line on `text` (a 200 body).
std::string CosignatureBody(const std::string& text) {
  crypto::Note note{text, {crypto::Cosign(text, "w.example", kWitness, 1800000001)}};
  return crypto::FormatNote(note).substr(text.size() + 1);
}

TEST_CASE("a 409 is answered by resending from the witness's size, with the proof") {
  Mutex mu;
  std::vector<std::pair<std::string, std::string>> requests;  // url, body
  std::atomic<int> cosigned{0};
  std::string cosigned_text;
  crypto::Hash p1{}, p2{};
  p1.fill(0xA1);
  p2.fill(0xA2);
  WitnessSubmitter submitter(
      "us-cbp", &kValidator, {TheWitness()}, FastConfig(),
      [&](uint64_t first, uint64_t second) -> Result<std::vector<crypto::Hash>> {
        CHECK(first == 3);
        CHECK(second == 5);
        return std::vector<crypto::Hash>{p1, p2};
      },
      [&](const std::string& text, std::vector<crypto::NoteSignature> sigs) {
        MutexLock lock(mu);
        CHECK(sigs.size() == 1);
        cosigned_text = text;
        ++cosigned;
      },
      [&](const std::string& url, const std::string& body) -> Result<WitnessHttpAnswer> {
        MutexLock lock(mu);
        requests.emplace_back(url, body);
        if (requests.size() == 1) return WitnessHttpAnswer{409, "text/x.tlog.size", "3\n"};
        return WitnessHttpAnswer{200, "text/plain", CosignatureBody(CheckpointText(5))};
      });
  submitter.Submit(PublishedNote(5));
  WaitFor([&] { return cosigned.load() == 1; });
  MutexLock lock(mu);
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].first == "http://127.0.0.1:1/prefix/add-checkpoint");
  // The note sent is the published one with the validator's signed-note
  // Ed25519 line added: the log signature a witness verifies.
  const std::string sent =
      PublishedNote(5) + crypto::NoteSignatureLine(CheckpointText(5), "us-cbp", kValidator) + "\n";
  CHECK(requests[0].second == "old 0\n\n" + sent);
  CHECK(requests[1].second == crypto::AddCheckpointBody(3, {p1, p2}, sent));
  CHECK(cosigned_text == CheckpointText(5));
  auto states = submitter.States();
  REQUIRE(states.size() == 1);
  CHECK(states[0].cosigned == 1);
  CHECK(states[0].failed == 0);
  CHECK(states[0].up);
  CHECK(states[0].cosigned_tree_size == 5);
}

TEST_CASE("a witness that lies or is down is counted and retried, and never blocks") {
  // lies: a cosignature by another key; down: no answer; ahead: a 409 with
  // a size above the checkpoint's (no proof can reach it).
  enum class Mode { kLies, kDown, kAhead };
  for (Mode mode : {Mode::kLies, Mode::kDown, Mode::kAhead}) {
    CAPTURE(static_cast<int>(mode));
    std::atomic<int> calls{0};
    std::atomic<int> cosigned{0};
    {
      WitnessSubmitter submitter(
          "us-cbp", &kValidator, {TheWitness()}, FastConfig(),
          [](uint64_t, uint64_t) -> Result<std::vector<crypto::Hash>> {
            CHECK_MESSAGE(false, "no proof is asked for");
            return std::vector<crypto::Hash>{};
          },
          [&](const std::string&, std::vector<crypto::NoteSignature>) { ++cosigned; },
          [&](const std::string&, const std::string&) -> Result<WitnessHttpAnswer> {
            ++calls;
            if (mode == Mode::kDown) return Status::Unavailable("connection refused");
            if (mode == Mode::kAhead) return WitnessHttpAnswer{409, "text/x.tlog.size", "9\n"};
            // A cosignature by another key under the witness's name.
            crypto::Note note{CheckpointText(5),
                              {crypto::Cosign(CheckpointText(5), "w.example", kValidator, 1)}};
            return WitnessHttpAnswer{200, "",
                                     crypto::FormatNote(note).substr(CheckpointText(5).size() + 1)};
          });
      const auto start = std::chrono::steady_clock::now();
      submitter.Submit(PublishedNote(5));
      CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100));
      WaitFor([&] { return calls.load() >= 3; });  // retried with backoff
      auto states = submitter.States();
      CHECK(states[0].failed >= 2);
      CHECK_FALSE(states[0].up);
    }  // the destructor stops the retries
    CHECK(cosigned.load() == 0);
  }
}

}  // namespace
}  // namespace frontera::node
