#include <gtest/gtest.h>

#include <string>

#include "processors/normalize/clean.h"

namespace newsflow::normalize {
namespace {

std::string HtmlClean(const std::string& html) {
  std::string text;
  OffsetMap map;
  HtmlToText(html, &text, &map);
  return CleanText(text);
}

TEST(HtmlToText, DecodesEntities) {
  EXPECT_EQ(
      HtmlClean("<p>Tom &amp; Jerry&nbsp;go &lt;home&gt; &#1575;&#x644; &eacute;t&eacute;</p>"),
      "Tom & Jerry go <home> \u0627\u0644 \u00E9t\u00E9");
}

TEST(HtmlToText, DropsScriptStyleAndPageFurniture) {
  const std::string html =
      "<html><head><title>t</title><style>p{color:red}</style></head><body>"
      "<header>Site name</header><nav><a href=/>Home</a></nav>"
      "<p>Body one.</p><script>var x = '<p>no</p>';</script>"
      "<aside>Most read</aside><form><label>Search</label><input value=q></form><noscript>Enable "
      "JS</noscript>"
      "<p>Body two.</p><footer>Share this</footer></body></html>";
  EXPECT_EQ(HtmlClean(html), "Body one.\nBody two.");
}

TEST(HtmlToText, KeepsParagraphsAndLineBreaks) {
  EXPECT_EQ(HtmlClean("<div><h1>Title</h1><p>One\n  continues</p><p>Two<br>Three</p>"
                      "<ul><li>a</li><li>b</li></ul></div>"),
            "Title\nOne continues\nTwo\nThree\na\nb");
  EXPECT_EQ(HtmlClean("<table><tr><td>x</td><td>y</td></tr><tr><td>z</td></tr></table>"), "x y\nz");
  EXPECT_EQ(HtmlClean("<pre>a\nb</pre>"), "a\nb");
}

TEST(HtmlToText, OffsetsPointIntoTheHtmlSource) {
  const std::string html = "<p>Alpha <b>Beta</b></p><p>Tom &amp; Jerry</p>";
  std::string text;
  OffsetMap html_map;
  HtmlToText(html, &text, &html_map);
  std::string clean;
  OffsetMap clean_map;
  CleanText(text, {}, &clean, &clean_map);
  const OffsetMap map = clean_map.Compose(html_map);
  ASSERT_EQ(clean, "Alpha Beta\nTom & Jerry");
  auto orig = [&](size_t b, size_t e) {
    const uint32_t ob = map.MapBegin(static_cast<uint32_t>(b));
    return html.substr(ob, map.MapEnd(static_cast<uint32_t>(e)) - ob);
  };
  EXPECT_EQ(orig(0, 5), "Alpha");  // exact: text without entities
  EXPECT_EQ(orig(6, 10), "Beta");
  // A text node with an entity maps as a whole to its source span.
  EXPECT_EQ(orig(11, 14), "Tom &amp; Jerry");
}

TEST(HtmlToText, SurvivesDeepNestingAndGarbage) {
  std::string html;
  for (int i = 0; i < 5000; ++i) html += "<div>";
  html += "deep";
  EXPECT_EQ(HtmlClean(html), "deep");
  EXPECT_EQ(HtmlClean("<<<>>>&&&;;<p"), "<<<>>>&&&;;");
  EXPECT_EQ(HtmlClean(""), "");
}

}  // namespace
}  // namespace newsflow::normalize
