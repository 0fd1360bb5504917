// fuzz/json_ir_fuzz.cpp - Fuzz target: the JSON IR loader and the interpreter.
//
// Parses the bytes as JSON; a document program_from_json accepts is interpreted at every
// node on three short inputs and must survive a second round trip through JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "lib/interp/evaluator.h"
#include "lib/ir/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rasp;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  auto program = ir::program_from_json(doc, "fuzz.json");
  if (!program) {
    fuzz::expect_explained(program.error(), "program_from_json");
    return 0;
  }
  auto again = ir::program_from_json(ir::program_to_json(*program));
  if (!again) fuzz::fail("program_to_json output does not load: " + again.error().front().message);
  if (again->size() != program->size()) fuzz::fail("JSON round trip changed the node count");
  if (program->size() == 0) return 0;
  std::uint64_t seed = fuzz::hash_bytes(text);
  ir::TokenType type = fuzz::token_type_of(*program);
  std::vector<ir::NodeId> every(program->size());
  for (ir::NodeId id = 0; id < program->size(); ++id) every[id] = id;
  for (const auto& input : fuzz::inputs_for(type, seed, 3)) {
    auto trace = interp::trace(*program, every, input, fuzz::options_for(seed));
    if (!trace) {
      fuzz::expect_explained(trace.error(), "trace");
      continue;
    }
    for (ir::NodeId id : every) (void)interp::output_of(*trace, id);
  }
  return 0;
}
