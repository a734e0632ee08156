#include "processors/tag/snapshot.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <xxhash.h>

#include "processors/tag/image.h"
#include "schemas/embedded.h"

namespace newsflow::tag {
namespace embedded {
extern const EmbeddedFile kTaxonomy[];
extern const std::size_t kTaxonomy_count;
}  // namespace embedded

namespace {

constexpr char kMagic[8] = {'N', 'F', 'T', 'A', 'X', 'S', 'N', 'P'};
constexpr uint32_t kByteOrder = 0x01020304;
constexpr const char* kHashProbeText = "newsflow taxonomy snapshot: hash probe";

// The fixed header at offset 0. The body (an image, image.h) starts at sizeof(Header), which is
// a multiple of 8, and the mapping is page-aligned: the image's arrays are aligned in memory.
struct Header {
  char magic[8];
  uint32_t format_version;
  uint32_t byte_order;
  uint64_t file_size;
  uint64_t checksum;          // XXH3-64 of bytes [sizeof(Header), file_size)
  uint64_t source_hash;       // TaxonomySourceHash() of the sources
  uint64_t hash_probe;        // Matcher::Hash(kHashProbeText) of the writer
  char taxonomy_version[48];  // the first 47 bytes, NUL-terminated (for people)
  uint64_t reserved[4];
};
static_assert(sizeof(Header) == 128 && std::has_unique_object_representations_v<Header>);
static_assert(std::endian::native == std::endian::little ||
              std::endian::native == std::endian::big);

Status Rejected(const std::string& path, const std::string& why) {
  return Status(Code::kInvalidConfig, "taxonomy", "snapshot " + path + " rejected: " + why);
}

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// A read-only private mapping of a whole file; unmapped when the last owner goes.
class MappedFile {
 public:
  static Result<std::shared_ptr<const MappedFile>> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Rejected(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int e = errno;
      ::close(fd);
      return Rejected(path, std::string("cannot stat: ") + std::strerror(e));
    }
    auto file = std::shared_ptr<MappedFile>(new MappedFile());
    file->size_ = static_cast<size_t>(st.st_size);
    if (file->size_ > 0) {
      void* p = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int e = errno;
        ::close(fd);
        return Rejected(path, std::string("cannot map: ") + std::strerror(e));
      }
      file->data_ = static_cast<const std::byte*>(p);
    }
    ::close(fd);
    return std::shared_ptr<const MappedFile>(std::move(file));
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
  }
  const std::byte* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile() = default;
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

// The compact byte stream of the entities, topics, groups and calibration: little objects that
// are rebuilt on load (their count is that of entities and rules, not of patterns).
class StreamWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Raw(&v, sizeof v); }
  void U64(uint64_t v) { Raw(&v, sizeof v); }
  void F64(double v) { Raw(&v, sizeof v); }  // bit-exact: scores are byte-identical
  void Str(std::string_view s) {
    U64(s.size());
    out_.append(s);
  }
  void Strings(const std::vector<std::string>& v) {
    U64(v.size());
    for (const auto& s : v) Str(s);
  }
  void U32s(const std::vector<uint32_t>& v) {
    U64(v.size());
    Raw(v.data(), v.size() * sizeof(uint32_t));
  }
  const std::string& str() const { return out_; }

 private:
  void Raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

class StreamReader {
 public:
  explicit StreamReader(std::string_view in) : in_(in) {}
  uint8_t U8() {
    uint8_t v = 0;
    Raw(&v, 1);
    return v;
  }
  uint32_t U32() {
    uint32_t v = 0;
    Raw(&v, sizeof v);
    return v;
  }
  uint64_t U64() {
    uint64_t v = 0;
    Raw(&v, sizeof v);
    return v;
  }
  double F64() {
    double v = 0;
    Raw(&v, sizeof v);
    return v;
  }
  std::string Str() {
    const uint64_t n = U64();
    if (!ok_ || n > in_.size() - pos_) return Fail(), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count of items of at least `min_bytes` each: bounded by what is left, so that a damaged
  // count cannot make the reader allocate without limit.
  uint64_t Count(size_t min_bytes) {
    const uint64_t n = U64();
    if (!ok_ || n > (in_.size() - pos_) / std::max<size_t>(min_bytes, 1)) return Fail(), 0;
    return n;
  }
  std::vector<std::string> Strings() {
    std::vector<std::string> v(Count(8));
    for (auto& s : v) s = Str();
    return v;
  }
  std::vector<uint32_t> U32s() {
    std::vector<uint32_t> v(Count(4));
    if (!v.empty()) Raw(v.data(), v.size() * sizeof(uint32_t));
    return v;
  }
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  void Fail() { ok_ = false; }
  void Raw(void* p, size_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return;
    }
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void WriteRef(StreamWriter& w, const Ref& r) {
  w.U8(static_cast<uint8_t>(r.kind));
  w.U32(r.group);
  w.Str(r.value);
  w.Str(r.text);
  w.U32(r.selection);
}

Ref ReadRef(StreamReader& r) {
  Ref ref;
  ref.kind = static_cast<Ref::Kind>(r.U8());
  ref.group = r.U32();
  ref.value = r.Str();
  ref.text = r.Str();
  ref.selection = r.U32();
  return ref;
}

std::string BuildIdOfMainProgram() {
  std::string id;
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void* out) -> int {
        // The first object is the main program.
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE) continue;
          const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
          const char* end = p + ph.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
            const char* name = p + sizeof(ElfW(Nhdr));
            const char* desc = name + ((note->n_namesz + 3) & ~3u);
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
                std::memcmp(name, "GNU", 4) == 0 && desc + note->n_descsz <= end) {
              auto* s = static_cast<std::string*>(out);
              for (uint32_t k = 0; k < note->n_descsz; ++k) {
                char buf[3];
                std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(desc[k]));
                *s += buf;
              }
              return 1;
            }
            p = desc + ((note->n_descsz + 3) & ~3u);
          }
        }
        return 1;  // only the main program
      },
      &id);
  return id;
}

}  // namespace

// Reads and writes the Taxonomy's private members (a friend of Taxonomy).
class SnapshotCodec {
 public:
  static std::string WriteMeta(const Taxonomy& t);
  static Status ReadMeta(std::string_view meta, Taxonomy* t);
  static Status Check(const Taxonomy& t);
  static Result<std::vector<uint64_t>> Image(const Taxonomy& t);
  static Result<std::shared_ptr<const Taxonomy>> Load(const std::string& path,
                                                      std::shared_ptr<const MappedFile> file,
                                                      std::span<const std::byte> body);
};

std::string SnapshotCodec::WriteMeta(const Taxonomy& t) {
  StreamWriter w;
  w.Str(t.version_);
  w.Str(t.calibration_note_);
  w.U64(t.entities_.size());
  for (const Entity& e : t.entities_) {
    w.Str(e.id);
    w.Str(e.type);
    w.Str(e.name);
    w.Strings(e.tags);
    w.Strings(e.also_known_as);
    w.U8(e.has_weak_aliases ? 1 : 0);
  }
  w.U64(t.topics_.size());
  for (const Topic& topic : t.topics_) {
    w.Str(topic.id);
    w.U64(topic.labels.size());
    for (const auto& [lang, label] : topic.labels) {
      w.Str(lang);
      w.Str(label);
    }
    w.Str(topic.description);
    w.F64(topic.threshold);
    w.F64(topic.hand_threshold);
    for (double f : topic.field_weights) w.F64(f);
    w.U64(topic.rules.size());
    for (const Rule& rule : topic.rules) {
      w.Str(rule.name);
      w.U8(static_cast<uint8_t>(rule.kind));
      w.U64(rule.refs.size());
      for (const Ref& r : rule.refs) WriteRef(w, r);
      w.U64(rule.unless.size());
      for (const Ref& r : rule.unless) WriteRef(w, r);
      w.U32(rule.within);
      w.F64(rule.weight);
      w.F64(rule.fitted_weight);
    }
    w.Strings(topic.languages);
    w.U32s(topic.language_ids);
    w.Str(topic.source);
    w.U8(topic.calibrated ? 1 : 0);
    w.F64(topic.bias);
  }
  w.U64(t.groups_.size());
  for (const Group& g : t.groups_) {
    w.Str(g.name);
    w.U32(g.topic);
  }
  w.U64(t.alias_count_);
  w.U32s(t.entity_triggered_);
  w.Strings(t.languages_);
  w.U64(t.entity_selections_.size());
  for (const auto& s : t.entity_selections_) w.U32s(s);
  w.U32s(t.selections_of_begin_);
  w.U32s(t.selections_of_);
  return w.str();
}

Status SnapshotCodec::ReadMeta(std::string_view meta, Taxonomy* t) {
  StreamReader r(meta);
  t->version_ = r.Str();
  t->calibration_note_ = r.Str();
  t->entities_.resize(r.Count(33));
  for (Entity& e : t->entities_) {
    e.id = r.Str();
    e.type = r.Str();
    e.name = r.Str();
    e.tags = r.Strings();
    e.also_known_as = r.Strings();
    e.has_weak_aliases = r.U8() != 0;
  }
  t->topics_.resize(r.Count(64));
  for (Topic& topic : t->topics_) {
    topic.id = r.Str();
    const uint64_t labels = r.Count(16);
    for (uint64_t i = 0; i < labels && r.ok(); ++i) {
      std::string lang = r.Str();
      topic.labels[std::move(lang)] = r.Str();
    }
    topic.description = r.Str();
    topic.threshold = r.F64();
    topic.hand_threshold = r.F64();
    for (double& f : topic.field_weights) f = r.F64();
    topic.rules.resize(r.Count(40));
    for (Rule& rule : topic.rules) {
      rule.name = r.Str();
      rule.kind = static_cast<Rule::Kind>(r.U8());
      rule.refs.resize(r.Count(25));
      for (Ref& ref : rule.refs) ref = ReadRef(r);
      rule.unless.resize(r.Count(25));
      for (Ref& ref : rule.unless) ref = ReadRef(r);
      rule.within = r.U32();
      rule.weight = r.F64();
      rule.fitted_weight = r.F64();
    }
    topic.languages = r.Strings();
    topic.language_ids = r.U32s();
    topic.source = r.Str();
    topic.calibrated = r.U8() != 0;
    topic.bias = r.F64();
  }
  t->groups_.resize(r.Count(12));
  for (Group& g : t->groups_) {
    g.name = r.Str();
    g.topic = r.U32();
  }
  t->alias_count_ = r.U64();
  t->entity_triggered_ = r.U32s();
  t->languages_ = r.Strings();
  t->entity_selections_.resize(r.Count(8));
  for (auto& s : t->entity_selections_) s = r.U32s();
  t->selections_of_begin_ = r.U32s();
  t->selections_of_ = r.U32s();
  if (!r.ok() || !r.AtEnd()) {
    return Status(Code::kInvalidConfig, "taxonomy", "entity and topic tables are damaged");
  }
  for (uint32_t i = 0; i < t->entities_.size(); ++i)
    t->entity_index_.emplace(t->entities_[i].id, i);
  return Status::Ok();
}

// Every index the scoring and tagging code follows, checked against the table it points into.
Status SnapshotCodec::Check(const Taxonomy& t) {
  auto bad = [](const std::string& what) {
    return Status(Code::kInvalidConfig, "taxonomy", "inconsistent tables: " + what);
  };
  const size_t entities = t.entities_.size();
  const size_t topics = t.topics_.size();
  const size_t groups = t.groups_.size();
  const size_t selections = t.entity_selections_.size();
  const size_t languages = t.languages_.size();
  if (t.patterns_.size() != t.matcher_.pattern_count()) return bad("pattern count");
  if (t.pattern_text_begin_.empty() || t.pattern_text_begin_[0] != 0 ||
      t.pattern_text_begin_.back() > t.pattern_text_.size()) {
    return bad("phrase texts");
  }
  for (size_t i = 1; i < t.pattern_text_begin_.size(); ++i) {
    if (t.pattern_text_begin_[i] < t.pattern_text_begin_[i - 1]) return bad("phrase texts");
  }
  for (const PatternInfo& p : t.patterns_) {
    size_t owners = 0;
    switch (p.kind) {
      case PatternKind::kAlias:
      case PatternKind::kWeakAlias:
      case PatternKind::kContext:
        owners = entities;
        break;
      case PatternKind::kGroup:
        owners = groups;
        break;
      case PatternKind::kExclusion:
        owners = topics;
        break;
      default:
        return bad("pattern kind");
    }
    if (p.owner >= owners || p.language_id >= languages ||
        p.text + 1 >= t.pattern_text_begin_.size()) {
      return bad("pattern");
    }
  }
  for (const Group& g : t.groups_) {
    if (g.topic >= topics) return bad("group");
  }
  auto check_ref = [&](const Ref& r) {
    if (static_cast<uint8_t>(r.kind) > static_cast<uint8_t>(Ref::Kind::kType)) return false;
    if (r.kind == Ref::Kind::kGroup) return r.group < groups;
    return r.selection < selections;
  };
  for (const Topic& topic : t.topics_) {
    for (uint32_t l : topic.language_ids) {
      if (l >= languages) return bad("topic language");
    }
    for (const Rule& rule : topic.rules) {
      if (static_cast<uint8_t>(rule.kind) > static_cast<uint8_t>(Rule::Kind::kPair)) {
        return bad("rule kind");
      }
      for (const Ref& r : rule.refs) {
        if (!check_ref(r)) return bad("rule reference");
      }
      for (const Ref& r : rule.unless) {
        if (!check_ref(r)) return bad("rule reference");
      }
    }
  }
  for (const auto& s : t.entity_selections_) {
    for (uint32_t e : s) {
      if (e >= entities) return bad("entity selection");
    }
  }
  if (t.selections_of_begin_.size() != entities + 1 || t.selections_of_begin_[0] != 0 ||
      t.selections_of_begin_.back() != t.selections_of_.size()) {
    return bad("selections of entities");
  }
  for (size_t i = 1; i < t.selections_of_begin_.size(); ++i) {
    if (t.selections_of_begin_[i] < t.selections_of_begin_[i - 1]) return bad("selections");
  }
  for (uint32_t s : t.selections_of_) {
    if (s >= selections) return bad("selections of entities");
  }
  for (uint32_t topic : t.entity_triggered_) {
    if (topic >= topics) return bad("entity-triggered topics");
  }
  return Status::Ok();
}

Result<std::vector<uint64_t>> SnapshotCodec::Image(const Taxonomy& t) {
  const std::string meta = WriteMeta(t);
  ImageWriter w;
  w.Bytes(t.version_);
  w.Bytes(BuilderId());
  w.Bytes(meta);
  w.Array(t.patterns_.data(), t.patterns_.size());
  w.Bytes(t.pattern_text_);
  w.Array(t.pattern_text_begin_.data(), t.pattern_text_begin_.size());
  const auto matcher = t.matcher_.image();
  w.Array(matcher.data(), matcher.size());
  return w.Finish();
}

Result<std::shared_ptr<const Taxonomy>> SnapshotCodec::Load(const std::string& path,
                                                            std::shared_ptr<const MappedFile> file,
                                                            std::span<const std::byte> body) {
  ImageReader r(body);
  const std::string_view version = r.Bytes();
  const std::string_view builder = r.Bytes();
  const std::string_view meta = r.Bytes();
  auto patterns = r.Array<PatternInfo>();
  const std::string_view pattern_text = r.Bytes();
  auto pattern_text_begin = r.Array<uint32_t>();
  auto matcher = r.Array<std::byte>();
  if (r.ok() && !r.AtEnd()) r.Fail("more entries than expected");
  if (!r.ok()) return Rejected(path, "damaged layout: " + r.error());
  if (builder != BuilderId()) {
    return Rejected(path, "written by another newsflow build (" + std::string(builder) +
                              ", this is " + BuilderId() +
                              "): compile it again with this binary (newsflow compile-taxonomy)");
  }
  auto t = std::make_shared<Taxonomy>();
  Status s = ReadMeta(meta, t.get());
  if (!s.ok()) return Rejected(path, s.message());
  if (t->version_ != version) return Rejected(path, "damaged: taxonomy version differs");
  t->patterns_ = patterns;
  t->pattern_text_ = pattern_text;
  t->pattern_text_begin_ = pattern_text_begin;
  s = t->matcher_.Attach(matcher, file);
  if (!s.ok()) return Rejected(path, s.message());
  s = Check(*t);
  if (!s.ok()) return Rejected(path, s.message());
  t->keep_alive_ = std::move(file);
  return std::shared_ptr<const Taxonomy>(std::move(t));
}

bool IsSnapshotFileName(std::string_view file_name) {
  const std::string_view ext = kSnapshotExtension;
  return (file_name.size() >= ext.size() &&
          file_name.substr(file_name.size() - ext.size()) == ext) ||
         file_name.find(std::string(ext) + ".tmp.") != std::string_view::npos;
}

const std::string& BuilderId() {
  static const std::string id = [] {
    std::string build_id = BuildIdOfMainProgram();
    return build_id.empty() ? std::string("no-build-id") : "gnu-build-id:" + build_id;
  }();
  return id;
}

Result<uint64_t> TaxonomySourceHash(const std::string& manifest_path, CompileOptions options) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  auto add = [&](std::string_view bytes) {
    const uint64_t n = bytes.size();
    XXH3_64bits_update(state, &n, sizeof n);
    XXH3_64bits_update(state, bytes.data(), bytes.size());
  };
  add(options.calibration ? "calibration:1" : "calibration:0");
  if (manifest_path.empty()) {
    std::vector<std::pair<std::string_view, std::string_view>> files;
    for (size_t i = 0; i < embedded::kTaxonomy_count; ++i) {
      files.push_back({embedded::kTaxonomy[i].name, embedded::kTaxonomy[i].data});
    }
    std::sort(files.begin(), files.end());
    add("<built-in>");
    for (const auto& [name, data] : files) {
      add(name);
      add(data);
    }
  } else {
    namespace fs = std::filesystem;
    const fs::path manifest(manifest_path);
    const fs::path dir = manifest.parent_path().empty() ? fs::path(".") : manifest.parent_path();
    add(manifest.filename().string());
    std::vector<std::string> names;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && !IsSnapshotFileName(it->path().filename().string())) {
        names.push_back(fs::relative(it->path(), dir).string());
      }
    }
    if (ec) {
      XXH3_freeState(state);
      return Status(Code::kInvalidConfig, "taxonomy",
                    dir.string() + ": cannot list the taxonomy directory: " + ec.message());
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      std::ifstream in(dir / name, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      add(name);
      add(ss.str());
    }
  }
  const uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

Status WriteSnapshot(const Taxonomy& taxonomy, uint64_t source_hash, const std::string& path) {
  auto fail = [&](const std::string& why) {
    return Status(Code::kInvalidConfig, "taxonomy", "cannot write snapshot " + path + ": " + why);
  };
  NEWSFLOW_ASSIGN_OR_RETURN(std::vector<uint64_t> image, SnapshotCodec::Image(taxonomy));
  const char* body = reinterpret_cast<const char*>(image.data());
  const size_t body_size = image.size() * sizeof(uint64_t);
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kSnapshotFormatVersion;
  h.byte_order = kByteOrder;
  h.file_size = sizeof(Header) + body_size;
  h.checksum = XXH3_64bits(body, body_size);
  h.source_hash = source_hash;
  h.hash_probe = Matcher::Hash(kHashProbeText);
  const std::string& version = taxonomy.version();
  std::memcpy(h.taxonomy_version, version.data(),
              std::min(version.size(), sizeof h.taxonomy_version - 1));
  // A unique temporary name in the same directory, then rename(): readers (another instance
  // filling the same cache) see the old file or the whole new one.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                          Hex(reinterpret_cast<uintptr_t>(&h) ^ h.checksum);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(std::string("cannot create ") + tmp + ": " + std::strerror(errno));
    out.write(reinterpret_cast<const char*>(&h), sizeof h);
    out.write(body, static_cast<std::streamsize>(body_size));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return fail("write failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    return fail(std::strerror(e));
  }
  return Status::Ok();
}

Result<std::shared_ptr<const Taxonomy>> LoadSnapshot(const std::string& path,
                                                     uint64_t expected_source_hash,
                                                     SnapshotInfo* info) {
  NEWSFLOW_ASSIGN_OR_RETURN(std::shared_ptr<const MappedFile> file, MappedFile::Open(path));
  if (file->size() < sizeof(Header)) {
    return Rejected(
        path, "truncated (" + std::to_string(file->size()) + " bytes, smaller than the header)");
  }
  Header h;
  std::memcpy(&h, file->data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) {
    return Rejected(path, "not a newsflow taxonomy snapshot (bad magic)");
  }
  if (h.byte_order != kByteOrder)
    return Rejected(path, "written on a machine of another byte order");
  if (h.format_version != kSnapshotFormatVersion) {
    return Rejected(path, "format version " + std::to_string(h.format_version) +
                              ", this build reads " + std::to_string(kSnapshotFormatVersion) +
                              " (compile it again with newsflow compile-taxonomy)");
  }
  if (h.file_size != file->size()) {
    return Rejected(path, "truncated or extended: the header says " + std::to_string(h.file_size) +
                              " bytes, the file has " + std::to_string(file->size()));
  }
  const std::span<const std::byte> body(file->data() + sizeof(Header),
                                        file->size() - sizeof(Header));
  if (XXH3_64bits(body.data(), body.size()) != h.checksum) {
    return Rejected(path, "corrupt (checksum mismatch)");
  }
  if (info != nullptr) {
    info->format_version = h.format_version;
    h.taxonomy_version[sizeof h.taxonomy_version - 1] = '\0';
    info->taxonomy_version = h.taxonomy_version;
    info->checksum = h.checksum;
    info->source_hash = h.source_hash;
    info->file_size = h.file_size;
  }
  if (h.hash_probe != Matcher::Hash(kHashProbeText)) {
    return Rejected(path, "written with another matcher hash function");
  }
  if (expected_source_hash != 0 && h.source_hash != expected_source_hash) {
    return Rejected(path,
                    "compiled from other taxonomy files than the configured ones (source hash " +
                        Hex(h.source_hash) + ", configured " + Hex(expected_source_hash) +
                        "): compile it again");
  }
  return SnapshotCodec::Load(path, std::move(file), body);
}

std::string CachedSnapshotPath(const std::string& cache_dir, uint64_t source_hash) {
  const uint64_t key = XXH3_64bits_withSeed(BuilderId().data(), BuilderId().size(), source_hash);
  return (std::filesystem::path(cache_dir) /
          ("taxonomy-v" + std::to_string(kSnapshotFormatVersion) + "-" + Hex(source_hash) + "-" +
           Hex(key).substr(0, 8) + kSnapshotExtension))
      .string();
}

Result<LoadedTaxonomy> LoadTaxonomyFast(const TaxonomyLoadSettings& settings) {
  LoadedTaxonomy out;
  const bool snapshots = settings.options.calibration;
  const bool wanted = snapshots && (!settings.snapshot.empty() || !settings.cache_dir.empty());
  uint64_t source_hash = 0;
  if (wanted) {
    auto hash = TaxonomySourceHash(settings.path, settings.options);
    if (hash.ok()) {
      source_hash = *hash;
    } else {
      out.warnings.push_back(hash.status().message() + "; snapshots not used");
    }
  }
  if (source_hash != 0 && !settings.snapshot.empty()) {
    auto loaded = LoadSnapshot(settings.snapshot, source_hash);
    if (loaded.ok()) {
      out.taxonomy = std::move(loaded).value();
      out.origin = "snapshot " + settings.snapshot;
      return out;
    }
    out.warnings.push_back(loaded.status().message() + "; using the YAML taxonomy");
  }
  std::string cached;
  if (source_hash != 0 && !settings.cache_dir.empty()) {
    cached = CachedSnapshotPath(settings.cache_dir, source_hash);
    std::error_code ec;
    if (std::filesystem::exists(cached, ec)) {
      auto loaded = LoadSnapshot(cached, source_hash);
      if (loaded.ok()) {
        out.taxonomy = std::move(loaded).value();
        out.origin = "cache " + cached;
        return out;
      }
      out.warnings.push_back(loaded.status().message() + "; compiling it again");
    }
  }
  NEWSFLOW_ASSIGN_OR_RETURN(out.taxonomy, LoadTaxonomy(settings.path, settings.options));
  out.origin = "yaml";
  if (!cached.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(settings.cache_dir, ec);
    Status written = ec ? Status(Code::kInvalidConfig, "taxonomy",
                                 "cannot create " + settings.cache_dir + ": " + ec.message())
                        : WriteSnapshot(*out.taxonomy, source_hash, cached);
    if (!written.ok()) out.warnings.push_back(written.message() + " (the cache is not used)");
  }
  return out;
}

}  // namespace newsflow::tag
