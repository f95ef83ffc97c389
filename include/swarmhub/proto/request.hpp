#pragma once
// Parsing of one request line into a verb and its arguments. Pure.
//
// Arguments are separated by spaces or tabs. A double-quoted argument may hold spaces;
// inside quotes, \" and \\ stand for " and \. A command whose last argument is text (such
// as a chat message) takes the rest of the line for it, verbatim; only a tail of just `""`
// is the empty text (so `msg bob ""` is refused as empty, not sent as two quotes).

#include <string>
#include <string_view>
#include <vector>

namespace swarmhub::proto {

struct verb_and_rest {
  std::string_view verb;  // the first word, as typed
  std::string_view rest;  // everything after it, trimmed
};

verb_and_rest split_verb(std::string_view line);

struct arguments {
  std::vector<std::string> values;
  std::string error;  // non-empty when the line could not be parsed
};

// Splits `rest` into arguments. With `text_tail`, at most `max_args - 1` words are split
// off and whatever follows becomes the last argument unchanged. Without it, every word is
// returned (the caller checks the count).
arguments split_arguments(std::string_view rest, int max_args, bool text_tail);

// `value` quoted so that split_arguments() gives it back unchanged as one argument.
std::string quote_argument(std::string_view value);

}  // namespace swarmhub::proto
