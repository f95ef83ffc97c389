// Rewrites the part of docs/protocol.md between the command markers from the command table.

#include <fstream>
#include <iostream>
#include <sstream>

#include "swarmhub/proto/commands.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: render_protocol_doc docs/protocol.md\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  const std::string begin = "<!-- commands:begin -->\n";
  const std::string end = "<!-- commands:end -->";
  const auto b = doc.find(begin);
  const auto e = doc.find(end);
  if (b == std::string::npos || e == std::string::npos || e < b) {
    std::cerr << argv[1] << ": command markers not found\n";
    return 1;
  }
  doc.replace(b + begin.size(), e - b - begin.size(), swarmhub::proto::render_command_reference());
  std::ofstream(argv[1]) << doc;
  return 0;
}
