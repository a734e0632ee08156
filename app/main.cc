// newsflow: entry point. Subcommands live in app/cmd_*.cc; see `newsflow --help`.
#include <malloc.h>

#include <iostream>
#include <vector>

#include "app/commands.h"

namespace newsflow::app {

std::string_view Version() { return NEWSFLOW_VERSION; }

}  // namespace newsflow::app

int main(int argc, char** argv) {
  using namespace newsflow::app;
  // With glibc's malloc (a build with NEWSFLOW_TCMALLOC=OFF): keep freed memory in the heap
  // instead of returning it to the kernel after every article: CLD2 and the per-article buffers
  // otherwise make glibc trim and re-grow the heap for each record (13% of the normalize stage;
  // see bench/README.md). tcmalloc, the default allocator, keeps its own caches.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  CLI::App app{
      "newsflow: a streaming news-event processor. Reads raw articles (Kafka or files), "
      "normalizes, tags and scores them, and writes enriched events, alerts and dead letters."};
#ifdef NEWSFLOW_TCMALLOC
  constexpr const char* kAllocator = "tcmalloc";
#else
  constexpr const char* kAllocator = "glibc malloc";
#endif
  app.set_version_flag("-V,--version", std::string("newsflow ") + std::string(Version()) +
                                           " (schemas v1, " + kAllocator + ")");
  app.require_subcommand(1);
  std::vector<Command> commands = {AddProcessCommand(app),        AddValidateConfigCommand(app),
                                   AddConfigCommand(app),         AddRunCommand(app),
                                   AddDemoCommand(app),           AddExplainCommand(app),
                                   AddEvalCommand(app),           AddFitCommand(app),
                                   AddCompileTaxonomyCommand(app)};
  // The first word that is not an option must name a subcommand: say so when it does not
  // (CLI11 alone would answer "A subcommand is required").
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const auto& command : commands) known = known || command.subcommand->check_name(argv[1]);
    if (!known) {
      std::cerr << "newsflow: unknown command '" << argv[1] << "'. Commands:";
      for (const auto& command : commands) std::cerr << ' ' << command.subcommand->get_name();
      std::cerr << "\nRun 'newsflow --help' for more.\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version: the text on stdout, exit 0
  } catch (const CLI::ParseError& e) {
    // CLI11's own codes (106, 109, ...) are not ours: every usage error exits 2.
    app.exit(e);
    return kExitUsage;
  }
  for (const auto& command : commands) {
    if (command.subcommand->parsed()) return command.action();
  }
  return kExitUsage;
}
