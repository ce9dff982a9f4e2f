// Fuzzes node::DecodeSnapshotChunk (node/snapshot_transfer.h): a leader
// streams snapshot files to a follower in these chunks, and the follower
// writes them to disk under the name the chunk carries. Properties: no input
// crashes, leaks or runs long; a decoded chunk names a plain file, lies inside
// its file, and re-encodes to the same bytes, which decode to the same chunk.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "node/snapshot_transfer.h"

namespace frontera::node {
namespace {

void FuzzOne(std::string_view input) {
  Result<SnapshotChunk> chunk = DecodeSnapshotChunk(input);
  if (!chunk.ok()) return;
  // What SnapshotReceiver relies on before it touches the disk.
  FRONTERA_CHECK(chunk->file_number < chunk->file_count);
  FRONTERA_CHECK(!chunk->file_name.empty());
  FRONTERA_CHECK(chunk->file_name.find('/') == std::string::npos) << chunk->file_name;
  FRONTERA_CHECK(chunk->file_name.find('\0') == std::string::npos);
  FRONTERA_CHECK(chunk->file_name != "." && chunk->file_name != "..") << chunk->file_name;
  FRONTERA_CHECK(chunk->offset <= chunk->file_size);
  FRONTERA_CHECK(chunk->data.size() <= chunk->file_size - chunk->offset);

  const std::string encoded = EncodeSnapshotChunk(*chunk);
  FRONTERA_CHECK(encoded == input) << "a decoded chunk re-encodes to other bytes";
  Result<SnapshotChunk> again = DecodeSnapshotChunk(encoded);
  FRONTERA_CHECK(again.ok()) << "a re-encoded chunk does not decode: " << again.status().ToString();
  FRONTERA_CHECK(again->snapshot == chunk->snapshot && again->file_number == chunk->file_number &&
                 again->file_count == chunk->file_count && again->file_name == chunk->file_name &&
                 again->file_size == chunk->file_size && again->offset == chunk->offset &&
                 again->data == chunk->data)
      << "a chunk changed across encode and decode";
}

}  // namespace
}  // namespace frontera::node

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::node::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
