// The ICU half of the folding table (folding.h): the per-code-point rules computed with ICU.
//
// Compiled twice: into the normalize library (supplementary planes are folded on the fly with
// these functions, and the BMP table is built at start with them when the run-time ICU is not
// the one the built-in table was generated with), and into folding_table_gen, the build-time
// generator that writes the BMP table as C++ data (folding_table_gen.cc). Both run the same
// BuildBmpTable(), so the built-in table and one built at start are the same bytes
// (FoldingTableTest.BuiltInTableIsWhatIcuComputesNow checks it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "processors/normalize/folding.h"

namespace newsflow::normalize::internal {

// Word-break class and Flags (without kIdentity/kFoldQuote/kScriptLetter, which depend on the
// fold) of any code point.
TextFolder::WordClass ComputeWordClass(uint32_t cp);
uint8_t ComputeFlags(uint32_t cp);

// The BMP table: 0x10000 rows and the pool of folded bytes they point into (ends with 4 bytes
// of padding). About 60 M instructions of ICU calls; deterministic for one ICU version.
void BuildBmpTable(std::vector<TextFolder::Row>* rows, std::string* pool);

// "<ICU version>/<Unicode version>" of the ICU linked at run time (u_getVersion,
// u_getUnicodeVersion), e.g. "72.1/15.0". The built-in table records the same string from
// the generator's ICU.
std::string IcuVersionKey();

// The built-in table (folding_table_data.cc, written by folding_table_gen at build time).
extern const char kBuiltInIcuVersion[];  // IcuVersionKey() of the generator
extern const TextFolder::Row kBuiltInRows[0x10000];
extern const char kBuiltInPool[];
extern const uint32_t kBuiltInPoolSize;  // bytes, padding included

}  // namespace newsflow::normalize::internal
