// Prints CLDR's exemplar city of every canonical time zone (the city a zone is named after) in
// each language given on the command line, as TSV "<zone>\t<ISO 3166 region>\t<language>\t<name>".
// Used by generate.py (the gazetteer generator); the data is CLDR's, as shipped in libicu.
#include <unicode/locid.h>
#include <unicode/strenum.h>
#include <unicode/timezone.h>
#include <unicode/tznames.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  UErrorCode ec = U_ZERO_ERROR;
  std::unique_ptr<icu::StringEnumeration> zones(icu::TimeZone::createTimeZoneIDEnumeration(
      UCAL_ZONE_TYPE_CANONICAL_LOCATION, nullptr, nullptr, ec));
  if (U_FAILURE(ec)) return 1;
  std::vector<std::unique_ptr<icu::TimeZoneNames>> names;
  for (int i = 1; i < argc; ++i) {
    names.emplace_back(icu::TimeZoneNames::createInstance(icu::Locale(argv[i]), ec));
    if (U_FAILURE(ec)) return 1;
  }
  for (const icu::UnicodeString* zone = zones->snext(ec); zone != nullptr;
       zone = zones->snext(ec)) {
    char region[8] = {0};
    UErrorCode region_ec = U_ZERO_ERROR;
    icu::TimeZone::getRegion(*zone, region, sizeof(region), region_ec);
    std::string id;
    zone->toUTF8String(id);
    for (int i = 1; i < argc; ++i) {
      icu::UnicodeString name;
      names[static_cast<size_t>(i - 1)]->getExemplarLocationName(*zone, name);
      std::string utf8;
      name.toUTF8String(utf8);
      if (!utf8.empty()) std::printf("%s\t%s\t%s\t%s\n", id.c_str(), region, argv[i], utf8.c_str());
    }
  }
  return 0;
}
