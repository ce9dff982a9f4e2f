#include "crypto/json.h"

#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace frontera::crypto {

namespace {

// A pointer into the text that also publishes how far the parser has read.
// nlohmann's SAX events carry no position, but its input adapter pulls bytes
// through this iterator, so `*cursor` is the offset just past the last byte
// consumed: for a member name, just past its closing quote.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, const char** cursor) : p_(p), cursor_(cursor) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    ++p_;
    *cursor_ = p_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator& other) const { return p_ == other.p_; }
  bool operator!=(const CountingIterator& other) const { return p_ != other.p_; }

 private:
  const char* p_;
  const char** cursor_;
};

// Builds the value like nlohmann's own DOM parser, and enforces what I-JSON
// (RFC 7493 §2.3: member names MUST be unique) and our limits add.
class StrictHandler {
 public:
  StrictHandler(const char* begin, const char** cursor, size_t depth_max)
      : begin_(begin), cursor_(cursor), depth_max_(depth_max) {}

  bool null() { return Scalar(nullptr); }
  bool boolean(bool v) { return Scalar(v); }
  bool number_integer(Json::number_integer_t v) { return Scalar(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return Scalar(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& /*text*/) { return Scalar(v); }
  bool string(Json::string_t& v) { return Scalar(std::move(v)); }
  bool binary(Json::binary_t& /*v*/) {
    // Only the binary formats (CBOR, BSON, ...) produce this event.
    return Fail("", "binary values are not JSON");
  }

  bool start_object(size_t /*elements*/) { return StartContainer(Json::object(), true); }
  bool end_object() { return EndContainer(); }
  bool start_array(size_t /*elements*/) { return StartContainer(Json::array(), false); }
  bool end_array() { return EndContainer(); }

  bool key(Json::string_t& name) {
    Frame& frame = frames_.back();
    auto& members = frame.value->get_ref<Json::object_t&>();
    auto [it, inserted] = members.emplace(std::move(name), nullptr);
    // Map nodes are stable, so the frame can point at the stored name (for a
    // duplicate, the equal name already stored) instead of copying it.
    frame.key = &it->first;
    if (!inserted) {
      // The pointer names the duplicate itself; the offset is just past its name.
      return Fail(PointerOfCurrentMember(), "duplicate member name");
    }
    member_slot_ = &it->second;
    return true;
  }

  bool parse_error(size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at
    // line 1, column 7: syntax error while parsing ...": keep what follows the
    // tag, and state the byte offset ourselves.
    std::string what = ex.what();
    if (size_t close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    message_ = "invalid JSON at byte offset " + std::to_string(position) + ": " + what;
    // The enclosing container is known exactly; which member the bad token
    // belongs to is not, so point at the container.
    error_ = FieldError{PointerOf(frames_.empty() ? 0 : frames_.size() - 1),
                        "not well-formed JSON: " + what};
    failed_ = true;
    return false;
  }

  bool failed() const { return failed_; }
  const std::string& message() const { return message_; }
  const FieldError& error() const { return error_; }
  Json& result() { return result_; }

 private:
  struct Frame {
    Json* value;
    bool is_object;
    const std::string* key = nullptr;  // object: name of the member being read
    size_t next_index = 0;             // array: index of the next element
  };

  size_t Offset() const { return static_cast<size_t>(*cursor_ - begin_); }

  // The pointer of the value being read: every open container contributes
  // the member name or the element index that leads into it.
  std::string PointerOfCurrentMember() const { return PointerOf(frames_.size()); }

  // The pointer built from the first `frame_count` open containers.
  std::string PointerOf(size_t frame_count) const {
    std::string pointer;
    for (size_t i = 0; i < frame_count; ++i) {
      const Frame& frame = frames_[i];
      if (frame.is_object) {
        if (frame.key != nullptr) AppendJsonPointerToken(*frame.key, pointer);
      } else if (frame.next_index > 0) {
        AppendJsonPointerToken(std::to_string(frame.next_index - 1), pointer);
      }
    }
    return pointer;
  }

  bool Fail(std::string pointer, std::string reason) {
    message_ = reason + " at byte offset " + std::to_string(Offset());
    if (!pointer.empty()) message_ += " (" + pointer + ")";
    error_ = FieldError{std::move(pointer), std::move(reason)};
    failed_ = true;
    return false;
  }

  // Stores `value` where the grammar says the current value goes.
  Json* Place(Json&& value) {
    if (frames_.empty()) {
      result_ = std::move(value);
      return &result_;
    }
    Frame& frame = frames_.back();
    if (frame.is_object) {
      *member_slot_ = std::move(value);
      return member_slot_;
    }
    ++frame.next_index;
    auto& elements = frame.value->get_ref<Json::array_t&>();
    elements.push_back(std::move(value));
    return &elements.back();
  }

  template <typename T>
  bool Scalar(T&& v) {
    Place(Json(std::forward<T>(v)));
    return true;
  }

  bool StartContainer(Json&& empty, bool is_object) {
    if (frames_.size() >= depth_max_) {
      // Name the container that is one level too deep: its pointer is that of
      // the value now starting, so count it as the next array element.
      if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().next_index;
      return Fail(PointerOfCurrentMember(),
                  "nesting deeper than " + std::to_string(depth_max_) + " levels");
    }
    Json* slot = Place(std::move(empty));
    frames_.push_back(Frame{slot, is_object, nullptr, 0});
    return true;
  }

  bool EndContainer() {
    frames_.pop_back();
    return true;
  }

  const char* begin_;
  const char** cursor_;
  size_t depth_max_;
  Json result_;
  std::vector<Frame> frames_;
  Json* member_slot_ = nullptr;  // the value slot of the member whose name was just read
  bool failed_ = false;
  std::string message_;
  FieldError error_;
};

}  // namespace

Result<Json> ParseJson(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.text_bytes_max) {
    std::string reason = "document is " + std::to_string(text.size()) + " bytes; the limit is " +
                         std::to_string(limits.text_bytes_max);
    return Status::ResourceExhausted(reason, {FieldError{"", reason}});
  }
  // RFC 8259 §8.1: a JSON text MUST NOT begin with a byte order mark; nlohmann
  // would skip one silently, and a signed document has one spelling.
  if (text.size() >= 3 && static_cast<uint8_t>(text[0]) == 0xEF &&
      static_cast<uint8_t>(text[1]) == 0xBB && static_cast<uint8_t>(text[2]) == 0xBF) {
    return Status::InvalidArgument("invalid JSON at byte offset 0: byte order mark",
                                   {FieldError{"", "a JSON text must not start with a BOM"}});
  }
  // nlohmann's lexer takes a NUL byte for the end of the input, so whatever
  // follows one would go unread. JSON has no raw NUL anywhere (U+0000 in a
  // string is written \u0000).
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Status::InvalidArgument(
        "invalid JSON at byte offset " + std::to_string(nul) + ": NUL byte",
        {FieldError{"", "a JSON text must not contain a NUL byte (write U+0000 as \\u0000)"}});
  }
  const char* begin = text.data();
  const char* cursor = begin;
  StrictHandler handler(begin, &cursor, limits.depth_max);
  // strict = true: anything but whitespace after the value is an error. The
  // lexer rejects ill-formed UTF-8 and unpaired \u surrogate escapes, and
  // numbers that overflow a double (RFC 7493 §2.1, §2.2).
  bool ok = Json::sax_parse(CountingIterator(begin, &cursor),
                            CountingIterator(begin + text.size(), &cursor), &handler,
                            Json::input_format_t::json, /*strict=*/true,
                            /*ignore_comments=*/false);
  if (!ok || handler.failed()) {
    if (!handler.failed()) return Status::InvalidArgument("invalid JSON");
    return Status::InvalidArgument(handler.message(), {handler.error()});
  }
  return std::move(handler.result());
}

// RFC 6901 §3: "~" is written "~0" and "/" is written "~1".
void AppendJsonPointerToken(std::string_view token, std::string& out) {
  out += '/';
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
}

}  // namespace frontera::crypto
