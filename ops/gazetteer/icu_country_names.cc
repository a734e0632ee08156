// Prints the CLDR display name of every ISO 3166-1 region ICU knows, in each language given on
// the command line, as TSV lines "<alpha-2>\t<language>\t<name>". Used by generate.py (the
// gazetteer generator); ICU's data is CLDR's, as shipped by Debian's libicu.
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  for (const char* const* code = icu::Locale::getISOCountries(); *code != nullptr; ++code) {
    const icu::Locale region("", *code);
    for (int i = 1; i < argc; ++i) {
      icu::UnicodeString name;
      region.getDisplayCountry(icu::Locale(argv[i]), name);
      std::string utf8;
      name.toUTF8String(utf8);
      // ICU falls back to the code itself when it has no name for the region.
      if (utf8.empty() || utf8 == *code) continue;
      std::printf("%s\t%s\t%s\n", *code, argv[i], utf8.c_str());
    }
  }
  return 0;
}
