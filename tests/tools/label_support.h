// Helpers of the inspector tests (trust_test.cc, label_verify_test.cc): the
// fixture network's genesis, and trust bundles and ledgers built in memory
// with the fixture validator keys.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/did_key.h"
#include "crypto/ed25519.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "crypto/signed_note.h"
#include "ledger/genesis.h"
#include "ledger/gs1.h"
#include "ledger/voter_chain.h"
#include "tests/example_party.h"
#include "tests/tools/test_support.h"
#include "tools/trust.h"

namespace frontera::tools::testing {

using crypto::Json;

inline constexpr char kLabelNetwork[] = "frontera.example/north-america-1";

inline Json LabelPartyJson(const std::string& fixture_name) {
  return frontera::testing::ExampleGenesisParty(
      fixture_name, LoadFixture("parties.json")["parties"][fixture_name]);
}

inline Json LabelGenesisJson() {
  Json validators = Json::array();
  for (const char* name : {"us-cbp", "mx-anam", "ca-cbsa"}) {
    validators.push_back({{"name", name}, {"did", FixtureDid(name)}});
  }
  Json parties = Json::array();
  for (const char* name :
       {"mx-manufacturer", "mx-carrier", "us-distributor", "us-cbp", "mx-anam", "ca-cbsa"}) {
    parties.push_back(LabelPartyJson(name));
  }
  return {{"network", kLabelNetwork},
          {"created", "2026-11-01T00:00:00Z"},
          {"resolver", "verify.frontera.example"},
          {"validators", validators},
          {"parties", parties}};
}

inline ledger::Genesis LabelGenesis() {
  auto genesis = ledger::ParseGenesis(LabelGenesisJson());
  REQUIRE_MESSAGE(genesis.ok(), genesis.status().ToString());
  return *genesis;
}

inline crypto::Hash LeafOf(const Json& document) {
  return crypto::LeafHash(AsBytes(crypto::Canonicalize(document).value()));
}

// Leaf hashes of a made-up log: leaf i is SHA-256(0x00 ‖ "leaf i").
inline std::vector<crypto::Hash> FillerLeaves(size_t n, const std::string& salt = "") {
  std::vector<crypto::Hash> leaves;
  for (size_t i = 0; i < n; ++i)
    leaves.push_back(crypto::LeafHash(AsBytes(salt + "leaf " + std::to_string(i))));
  return leaves;
}

inline crypto::PerfectSubtreeFn PerfectOf(const std::vector<crypto::Hash>& leaves) {
  return [&leaves](int level, uint64_t index) -> Result<crypto::Hash> {
    uint64_t begin = index << level, end = (index + 1) << level;
    if (end > leaves.size()) return Status::NotFound("no such subtree");
    return crypto::RootFromLeafHashes(
        std::vector<crypto::Hash>(leaves.begin() + begin, leaves.begin() + end));
  };
}

// The key of a validator the genesis does not hold (one added later, as
// "us-cbp-2"): its seed is SHA-256 of its name.
inline crypto::KeyPair AddedValidatorKey(const std::string& name) {
  auto seed = crypto::SeedFromBytes(crypto::Sha256(name));
  REQUIRE(seed.ok());
  return crypto::KeyPair::FromSeed(*seed);
}

inline ledger::Validator AddedValidator(const std::string& name) {
  crypto::KeyPair key = AddedValidatorKey(name);
  return {name, crypto::DidKeyFromPublicKey(key.public_key()), key.public_key(), "", ""};
}

// When the fixture validators co-sign notes unless told otherwise
// (2027-06-01T09:00:00Z, three hours before the inspector tests' "now").
inline constexpr uint64_t kFixtureCosignedAt = 1811840400;

// A note of `text` signed by the named validators (the fixture parties', or
// AddedValidatorKey for any other name): tlog-cosignatures at `cosigned_at`,
// or plain Ed25519 (0x01) signatures without a time when it is unset.
inline std::string SignedBy(const std::string& text, const std::vector<std::string>& names,
                            std::optional<uint64_t> cosigned_at = kFixtureCosignedAt) {
  const Json parties = LoadFixture("parties.json")["parties"];
  std::vector<crypto::KeyPair> keys;
  keys.reserve(names.size());
  for (const std::string& n : names)
    keys.push_back(parties.contains(n) ? FixtureKey(n) : AddedValidatorKey(n));
  std::vector<std::pair<std::string, const crypto::KeyPair*>> signers;
  for (size_t i = 0; i < keys.size(); ++i) signers.push_back({names[i], &keys[i]});
  if (!cosigned_at) return crypto::SignNote(text, signers);
  return crypto::CosignNote(text, signers, *cosigned_at);
}

inline std::string CheckpointOf(const std::vector<crypto::Hash>& leaves,
                                const std::vector<std::string>& signers = {"us-cbp", "mx-anam",
                                                                           "ca-cbsa"},
                                std::optional<uint64_t> cosigned_at = kFixtureCosignedAt) {
  crypto::Checkpoint body{kLabelNetwork, leaves.size(), crypto::RootFromLeafHashes(leaves), {}};
  return SignedBy(crypto::FormatCheckpointBody(body), signers, cosigned_at);
}

// A trust bundle as GET /v1/trust-bundle answers it (format 4), or as an
// older build stored it (format_version 3: no voter chain, 2: no registry,
// 1: no reasons).
struct BundleMaker {
  Json genesis = LabelGenesisJson();
  std::vector<crypto::Hash> leaves = FillerLeaves(6);
  std::vector<RevocationEntry> revocations;
  std::vector<ledger::RegistryEntry> registry;  // format 3
  std::vector<ledger::FlagEntry> flags;         // format 3
  std::vector<std::string> checkpoint_signers = {"us-cbp", "mx-anam", "ca-cbsa"};
  std::vector<std::string> revocation_signers = {"us-cbp", "mx-anam", "ca-cbsa"};
  // Format 4: the links from the genesis validators, and the voters after
  // them (empty: the genesis validators).
  std::vector<ledger::VoterChange> voter_changes;
  ledger::Voters voters;
  int format_version = kTrustBundleVersion;
  // When each note's signers co-signed (unset: plain signatures, no time).
  std::optional<uint64_t> checkpoint_cosigned_at = kFixtureCosignedAt;
  std::optional<uint64_t> revocations_cosigned_at = kFixtureCosignedAt;
  // The certified items of the bundle's item filter (docs/formats.md §16);
  // unset: no "item_filter" (a bundle from a validator without filters).
  std::optional<std::vector<std::string>> filter_items;
  uint64_t filter_tree_size = 5;
  std::vector<std::string> filter_signers = {"us-cbp", "mx-anam", "ca-cbsa"};

  // {"note", "filter"} of filter_items.
  Json ItemFilterJson() const {
    std::vector<uint64_t> keys;
    for (const std::string& item : *filter_items) keys.push_back(ledger::ItemKey(item));
    ledger::ItemFilter filter = ledger::ItemFilter::Build(std::move(keys)).value();
    const std::string encoded = filter.Encode();
    const std::string text = ledger::ItemFilterNoteText(
        kLabelNetwork, ledger::ItemFilterNoteOf(filter, encoded, filter_tree_size));
    return {{"note", SignedBy(text, filter_signers)}, {"filter", Base64Encode(AsBytes(encoded))}};
  }

  ledger::Voters CurrentVoters() const {
    if (!voters.empty()) return voters;
    auto parsed = ledger::ParseGenesis(genesis);
    return parsed.ok() ? parsed->validators : ledger::Voters{};
  }

  Json Make() const {
    Json entries = Json::array();
    for (const RevocationEntry& e : revocations) {
      entries.push_back(
          {{"certificate", e.certificate}, {"item", e.item}, {"leaf_index", e.leaf_index}});
      if (format_version >= 2) entries.back()["reason"] = e.reason;
    }
    Json bundle = {
        {"format", format_version >= 4   ? kTrustBundleFormat
                   : format_version == 3 ? kTrustBundleFormatV3
                   : format_version == 2 ? kTrustBundleFormatV2
                                         : kTrustBundleFormatV1},
        {"genesis", genesis},
        {"genesis_hash", Base64Encode(crypto::Sha256(crypto::Canonicalize(genesis).value()))},
        {"checkpoint", CheckpointOf(leaves, checkpoint_signers, checkpoint_cosigned_at)},
        {"revocations",
         {{"note", SignedBy(RevocationNoteText(kLabelNetwork, leaves.size(), revocations,
                                               format_version, registry, flags, CurrentVoters()),
                            revocation_signers, revocations_cosigned_at)},
          {"entries", entries}}}};
    if (format_version >= 3) {
      Json list = Json::array();
      for (const ledger::RegistryEntry& e : registry) list.push_back(ledger::RegistryEntryJson(e));
      bundle["revocations"]["registry"] = std::move(list);
      Json flag_list = Json::array();
      for (const ledger::FlagEntry& e : flags) flag_list.push_back(ledger::FlagEntryJson(e));
      bundle["revocations"]["flags"] = std::move(flag_list);
    }
    if (format_version >= 4) {
      bundle["voters"] = ledger::VotersJson(CurrentVoters());
      Json links = Json::array();
      for (const ledger::VoterChange& link : voter_changes)
        links.push_back(ledger::VoterChangeJson(link));
      bundle["voter_changes"] = std::move(links);
    }
    if (filter_items) bundle["item_filter"] = ItemFilterJson();
    return bundle;
  }
};

}  // namespace frontera::tools::testing
