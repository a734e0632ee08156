#include "schemas/json_writer.h"

#include "schemas/text.h"

namespace newsflow::schemas {

void WriteOriginJson(JsonWriter& w, const Origin& origin) {
  w.StartObject();
  WriteKey(w, "kind");
  switch (origin.kind) {
    case Origin::Kind::kKafka:
      WriteLiteral(w, "kafka");
      WriteKey(w, "topic");
      WriteString(w, origin.topic);
      WriteKey(w, "partition");
      w.Int(origin.partition);
      WriteKey(w, "offset");
      w.Int64(origin.offset);
      WriteKey(w, "timestamp");
      if (origin.timestamp_ms >= 0) {
        WriteString(w, FormatRfc3339(origin.timestamp_ms));
      } else {
        w.Null();
      }
      break;
    case Origin::Kind::kFile:
      WriteLiteral(w, "file");
      WriteKey(w, "file");
      WriteString(w, origin.file);
      WriteKey(w, "line");
      w.Int64(origin.line);
      break;
    case Origin::Kind::kStdin:
      WriteLiteral(w, "stdin");
      WriteKey(w, "line");
      w.Int64(origin.line);
      break;
  }
  w.EndObject();
}

}  // namespace newsflow::schemas
