#include "node/audit_trail.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "common/clock.h"
#include "crypto/json.h"

namespace frontera::node {
namespace {

constexpr size_t kFieldBytesMax = 512;
constexpr const char* kCurrentFile = "reads.jsonl";
constexpr const char* kPreviousFile = "reads.1.jsonl";

std::string Cut(std::string_view text) { return std::string(text.substr(0, kFieldBytesMax)); }

Status ErrnoError(const std::string& what, const std::filesystem::path& path) {
  return Status::IOError(what + " " + path.string() + ": " + std::strerror(errno));
}

// The entry a line holds; nullopt for a line that is not one (a torn last
// line after a power loss).
std::optional<AuditEntry> ParseLine(const std::string& line) {
  auto json = crypto::Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("seq") || !json["seq"].is_number_unsigned()) {
    return std::nullopt;
  }
  AuditEntry entry;
  entry.seq = json["seq"].get<uint64_t>();
  for (auto [name, field] : {std::pair{"time", &entry.time}, std::pair{"reader", &entry.reader},
                             std::pair{"what", &entry.what}, std::pair{"record", &entry.record}}) {
    if (!json.contains(name) || !json[name].is_string()) return std::nullopt;
    *field = json[name].get<std::string>();
  }
  return entry;
}

// Calls `visit` with each entry of `path` in file order; a missing file has
// none. Stops early when `visit` returns false.
template <typename Visit>
Status ForEachEntry(const std::filesystem::path& path, Visit visit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status::Ok();
    return Status::IOError("cannot read the audit trail " + path.string());
  }
  std::string line;
  while (std::getline(in, line)) {
    if (auto entry = ParseLine(line); entry && !visit(*entry)) break;
  }
  return Status::Ok();
}

}  // namespace

Status AuditOptions::Validate() const {
  if (file_bytes_max < (size_t{64} << 10) || file_bytes_max > (size_t{16} << 30)) {
    return Status::InvalidArgument("audit.file_bytes_max = " + std::to_string(file_bytes_max) +
                                   " is outside [65536, 17179869184]");
  }
  if (query_limit_max < 1 || query_limit_max > 100'000) {
    return Status::InvalidArgument("audit.query_limit_max = " + std::to_string(query_limit_max) +
                                   " is outside [1, 100000]");
  }
  return Status::Ok();
}

AuditTrail::AuditTrail(std::filesystem::path dir, AuditOptions options)
    : dir_(std::move(dir)), options_(options) {}

AuditTrail::~AuditTrail() {
  MutexLock lock(mu_);
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<AuditTrail>> AuditTrail::Open(const std::filesystem::path& dir,
                                                     AuditOptions options) {
  FRONTERA_RETURN_IF_ERROR(options.Validate());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  std::unique_ptr<AuditTrail> trail(new AuditTrail(dir, options));
  MutexLock lock(trail->mu_);
  uint64_t last = 0;
  for (const char* name : {kPreviousFile, kCurrentFile}) {
    FRONTERA_RETURN_IF_ERROR(ForEachEntry(dir / name, [&](const AuditEntry& e) {
      last = std::max(last, e.seq);
      return true;
    }));
  }
  trail->last_seq_ = last;
  FRONTERA_RETURN_IF_ERROR(trail->OpenCurrentLocked());
  return trail;
}

Status AuditTrail::OpenCurrentLocked() {
  const std::filesystem::path path = dir_ / kCurrentFile;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return ErrnoError("cannot open", path);
  const off_t size = ::lseek(fd_, 0, SEEK_END);
  if (size < 0) return ErrnoError("cannot size", path);
  file_bytes_ = static_cast<size_t>(size);
  // A line torn by a power loss is ended, so the next entry starts its own.
  char last = '\n';
  if (size > 0 && ::pread(fd_, &last, 1, size - 1) != 1) return ErrnoError("cannot read", path);
  if (last != '\n') {
    if (::write(fd_, "\n", 1) != 1) return ErrnoError("cannot append to", path);
    ++file_bytes_;
  }
  return Status::Ok();
}

Result<uint64_t> AuditTrail::Record(std::string_view reader, std::string_view what,
                                    std::string_view record, int64_t now_unix_millis) {
  MutexLock lock(mu_);
  const uint64_t seq = last_seq_ + 1;
  const std::string line = crypto::Json{{"seq", seq},
                                        {"time", FormatRfc3339(now_unix_millis)},
                                        {"reader", Cut(reader)},
                                        {"what", Cut(what)},
                                        {"record", Cut(record)}}
                               .dump(-1, ' ', false, crypto::Json::error_handler_t::replace) +
                           "\n";
  if (file_bytes_ > 0 && file_bytes_ + line.size() > options_.file_bytes_max) {
    ::close(fd_);
    fd_ = -1;
    std::error_code ec;
    std::filesystem::rename(dir_ / kCurrentFile, dir_ / kPreviousFile, ec);
    if (ec) return Status::IOError("cannot rotate the audit trail: " + ec.message());
    FRONTERA_RETURN_IF_ERROR(OpenCurrentLocked());
  }
  if (fd_ < 0) FRONTERA_RETURN_IF_ERROR(OpenCurrentLocked());
  const ssize_t written = ::write(fd_, line.data(), line.size());
  if (written != static_cast<ssize_t>(line.size())) {
    return ErrnoError("cannot append to", dir_ / kCurrentFile);
  }
  file_bytes_ += line.size();
  last_seq_ = seq;
  return seq;
}

Result<std::vector<AuditEntry>> AuditTrail::Find(const AuditQuery& query) const {
  const size_t limit = std::min(query.limit, options_.query_limit_max);
  std::vector<AuditEntry> found;
  MutexLock lock(mu_);
  for (const char* name : {kPreviousFile, kCurrentFile}) {
    FRONTERA_RETURN_IF_ERROR(ForEachEntry(dir_ / name, [&](const AuditEntry& e) {
      if (e.seq <= query.after) return true;
      if (!query.reader.empty() && e.reader != query.reader) return true;
      if (!query.record.empty() && e.record != query.record) return true;
      found.push_back(e);
      return found.size() < limit;
    }));
    if (found.size() >= limit) break;
  }
  return found;
}

Status AuditTrail::CopyTo(const std::filesystem::path& dir) const {
  MutexLock lock(mu_);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  for (const std::filesystem::directory_entry& e : std::filesystem::directory_iterator(dir_, ec)) {
    if (!e.is_regular_file(ec)) continue;
    std::filesystem::copy_file(e.path(), dir / e.path().filename(), ec);
    if (ec) return Status::IOError("cannot copy " + e.path().string() + ": " + ec.message());
  }
  if (ec) return Status::IOError("cannot list " + dir_.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace frontera::node
