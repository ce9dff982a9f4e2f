// Durable file writes: every failing system call fails the write and leaves
// the target as it was; nothing is left behind; a failed fsync is never
// ignored.
#include "common/files.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/temp_dir.h"

namespace frontera {
namespace {

namespace fs = std::filesystem;

// The shared temporary directory, with a listing of what is in it.
class TempDir : public testing::TempDir {
 public:
  TempDir() : testing::TempDir("files") {}
  std::string File(const std::string& name) const { return Sub(name); }
  // Names of the files in the directory, sorted.
  std::vector<std::string> Listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path())) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The operating system's file system, with one call made to fail: the
// `fail_at`-th call counting from 0 (or none). Counts every call.
class FaultyFileSystem : public FileSystem {
 public:
  explicit FaultyFileSystem(int fail_at) : fail_at_(fail_at) {}
  int calls() const { return calls_; }

  Result<int> Create(const std::string& path, unsigned mode, bool exclusive) override {
    if (Fails()) return Status::IOError(path + ": injected create failure");
    return DefaultFileSystem().Create(path, mode, exclusive);
  }
  Status Write(int handle, const std::string& path, std::string_view bytes) override {
    if (Fails()) {
      // A write that got half way.
      (void)DefaultFileSystem().Write(handle, path, bytes.substr(0, bytes.size() / 2));
      return Status::IOError(path + ": injected write failure");
    }
    return DefaultFileSystem().Write(handle, path, bytes);
  }
  Status Sync(int handle, const std::string& path) override {
    if (Fails()) return Status::IOError(path + ": injected fsync failure");
    return DefaultFileSystem().Sync(handle, path);
  }
  Status Close(int handle, const std::string& path) override {
    const Status closed = DefaultFileSystem().Close(handle, path);
    if (Fails()) return Status::IOError(path + ": injected close failure");
    return closed;
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (Fails()) return Status::IOError(to + ": injected rename failure");
    return DefaultFileSystem().Rename(from, to);
  }
  Status SyncDirectory(const std::string& dir) override {
    if (Fails()) return Status::IOError(dir + ": injected directory fsync failure");
    return DefaultFileSystem().SyncDirectory(dir);
  }
  Status Remove(const std::string& path) override {
    ++calls_;  // cleanup never fails here: what it leaves is checked
    return DefaultFileSystem().Remove(path);
  }

 private:
  bool Fails() { return calls_++ == fail_at_; }

  const int fail_at_;
  int calls_ = 0;
};

TEST_CASE("WriteNewFile writes with the mode and never replaces a file") {
  TempDir dir;
  const std::string path = dir.File("key.json");
  REQUIRE(WriteNewFile(path, "secret\n", 0600).ok());
  CHECK(Read(path) == "secret\n");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const Status again = WriteNewFile(path, "other\n", 0600);
  CHECK(again.code() == Status::Code::kAlreadyExists);
  CHECK(again.message().find(path) != std::string::npos);
  CHECK(Read(path) == "secret\n");
  // A planted symbolic link is not followed.
  const std::string link = dir.File("link.json");
  fs::create_symlink(dir.File("elsewhere"), link);
  CHECK(WriteNewFile(link, "x", 0600).code() == Status::Code::kAlreadyExists);
  CHECK_FALSE(fs::exists(dir.File("elsewhere")));
}

TEST_CASE("ReplaceFile replaces the content whole and leaves no temporary file") {
  TempDir dir;
  const std::string path = dir.File("STATE");
  REQUIRE(ReplaceFile(path, "first\n", 0644).ok());
  CHECK(Read(path) == "first\n");
  REQUIRE(ReplaceFile(path, "second\n", 0644).ok());
  CHECK(Read(path) == "second\n");
  CHECK(dir.Listing() == std::vector<std::string>{"STATE"});
}

TEST_CASE("any failing call fails WriteNewFile and leaves no file") {
  // A clean write makes this many calls; each one is failed in turn.
  FaultyFileSystem counting(-1);
  TempDir probe;
  REQUIRE(WriteNewFile(probe.File("f"), "content", 0600, counting).ok());
  const int calls = counting.calls();
  CHECK(calls == 5);  // create, write, fsync, close, directory fsync
  for (int fail_at = 0; fail_at < calls; ++fail_at) {
    CAPTURE(fail_at);
    TempDir dir;
    FaultyFileSystem faulty(fail_at);
    const Status s = WriteNewFile(dir.File("f"), "content", 0600, faulty);
    CHECK(s.code() == Status::Code::kIOError);
    CHECK(s.message().find("injected") != std::string::npos);
    CHECK(dir.Listing().empty());
  }
}

TEST_CASE("any failing call fails ReplaceFile and leaves the old content") {
  FaultyFileSystem counting(-1);
  TempDir probe;
  REQUIRE(ReplaceFile(probe.File("f"), "content", 0644, counting).ok());
  const int calls = counting.calls();
  CHECK(calls == 6);  // create, write, fsync, close, rename, directory fsync
  for (int fail_at = 0; fail_at < calls; ++fail_at) {
    CAPTURE(fail_at);
    TempDir dir;
    const std::string path = dir.File("f");
    REQUIRE(ReplaceFile(path, "old", 0644).ok());
    FaultyFileSystem faulty(fail_at);
    const Status s = ReplaceFile(path, "new content", 0644, faulty);
    CHECK(s.code() == Status::Code::kIOError);
    // Before the rename the old content stays; a failed directory sync
    // after it is reported although the new name is in place.
    CHECK(Read(path) == (fail_at < 5 ? "old" : "new content"));
    CHECK(dir.Listing() == std::vector<std::string>{"f"});
  }
}

TEST_CASE("a failed fsync is an error, not a success (the old snapshot-pointer write ignored it)") {
  TempDir dir;
  FaultyFileSystem fail_sync(2);  // create, write, then fsync
  const Status s = ReplaceFile(dir.File("STATE"), "name\n", 0644, fail_sync);
  CHECK(s.message().find("injected fsync failure") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.File("STATE")));
}

TEST_CASE("ReadSmallFile reads up to its limit and refuses what is not a small regular file") {
  TempDir dir;
  const std::string path = dir.File("doc");
  REQUIRE(WriteNewFile(path, std::string(100, 'x'), 0600).ok());
  Result<std::string> whole = ReadSmallFile(path, 100);
  REQUIRE(whole.ok());
  CHECK(*whole == std::string(100, 'x'));

  Result<std::string> longer = ReadSmallFile(path, 99);
  CHECK(longer.status().IsResourceExhausted());
  CHECK(longer.status().message() == path + ": longer than 99 bytes");

  CHECK(ReadSmallFile(dir.File("absent"), 100).status().IsNotFound());
  // A device that never ends, a directory and a FIFO without a writer are
  // refused before a byte is read (none of these calls may block).
  const std::string fifo = dir.File("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string& odd : {std::string("/dev/zero"), dir.path(), fifo}) {
    CAPTURE(odd);
    Result<std::string> read = ReadSmallFile(odd, 100);
    CHECK(read.status().IsIOError());
    CHECK(read.status().message() == odd + ": not a regular file");
  }
}

}  // namespace
}  // namespace frontera
