// The client's chat comforts: /me, /join, /part, /query, did-you-mean (client/chat_mode.hpp),
// how events read on a terminal (chat_view.hpp), Tab's names (completions.hpp) and the status
// line of downloads (status_lines.hpp).

#include <gtest/gtest.h>

#include "swarmhub/client/chat_mode.hpp"
#include "swarmhub/client/chat_view.hpp"
#include "swarmhub/client/completions.hpp"
#include "swarmhub/client/status_lines.hpp"
#include "swarmhub/proto/events.hpp"

namespace swarmhub::client {
namespace {

command_line line(std::string_view typed) {
  auto out = read_command_line(typed);
  EXPECT_TRUE(out) << typed;
  return out.value_or(command_line{});
}

TEST(ClientChat, EditDistanceCountsASwapAsOneEdit) {
  EXPECT_EQ(edit_distance("lsit_files", "list_files"), 1);
  EXPECT_EQ(edit_distance("LIST", "list"), 0);
  EXPECT_EQ(edit_distance("hello", "help"), 2);
  EXPECT_EQ(edit_distance("", "abc"), 3);
  EXPECT_EQ(edit_distance("ca", "abc"), 3);  // optimal string alignment, not unrestricted
}

TEST(ClientChat, AMistypedCommandIsAskedAboutNotPosted) {
  EXPECT_EQ(near_command("lsit_files"), "list_files");
  EXPECT_EQ(near_command("/joni_group"), "join_group");
  EXPECT_EQ(near_command("uplod_file"), "upload_file");
  EXPECT_EQ(near_command("hello"), std::nullopt);  // two edits from help: too many for 5 letters
  EXPECT_EQ(near_command("hi"), std::nullopt);
  EXPECT_EQ(near_command("thanks"), std::nullopt);

  chat_mode chat;
  const auto typo = chat.read(line("lsit_files team"));
  ASSERT_TRUE(typo.answer);
  EXPECT_FALSE(typo.answer->ok);
  EXPECT_EQ(typo.answer->text, "did you mean list_files? (use say to post it)");
  const auto plain = chat.read(line("hello everyone"));
  EXPECT_FALSE(plain.answer);
  EXPECT_FALSE(plain.send);  // posted as it is
}

TEST(ClientChat, MeJoinPartAndQueryBecomeTrackerCommands) {
  chat_mode chat;
  const auto me = chat.read(line("/me waves at  everyone"));
  ASSERT_TRUE(me.send);
  EXPECT_TRUE(me.send->is(proto::command_id::say));
  EXPECT_EQ(me.send->args.values, std::vector<std::string>{"/me waves at  everyone"});

  const auto join = chat.read(line("/join rust"));
  ASSERT_TRUE(join.send);
  EXPECT_EQ(join.send->text, "room rust");
  EXPECT_EQ(join.join_if_refused, "rust");

  const auto query = chat.read(line("/query bob"));
  ASSERT_TRUE(query.answer && query.answer->ok);
  EXPECT_EQ(chat.query(), "bob");
  const auto to_bob = chat.read(line("are you there?"));
  ASSERT_TRUE(to_bob.send);
  EXPECT_TRUE(to_bob.send->is(proto::command_id::msg));
  EXPECT_EQ(to_bob.send->args.values, (std::vector<std::string>{"bob", "are you there?"}));
  EXPECT_FALSE(chat.read(line("ping")).send);  // commands stay commands

  const auto part = chat.read(line("/part"));
  ASSERT_TRUE(part.send);
  EXPECT_EQ(part.send->text, "room lobby");
  EXPECT_EQ(chat.query(), "");
  EXPECT_FALSE(chat.read(line("are you there?")).send);

  const auto bad = chat.read(line("/me"));
  ASSERT_TRUE(bad.answer);
  EXPECT_EQ(bad.answer->code, "BAD_ARGUMENTS");
}

TEST(ClientChat, EventsReadLikeIrssi) {
  chat_look look{false, "alice"};
  const auto room = render_event(proto::event{"ROOM", "rust bob hi all"}, look, "09:05");
  EXPECT_EQ(room.text, "[09:05] [rust] <bob> hi all");
  EXPECT_FALSE(room.bell);
  const auto action = render_event(proto::event{"ROOM", "lobby bob /me waves"}, look, "09:05");
  EXPECT_EQ(action.text, "[09:05] [lobby] * bob waves");
  const auto mention = render_event(proto::event{"ROOM", "lobby bob Alice: look"}, look, "10:00");
  EXPECT_TRUE(mention.bell);
  EXPECT_FALSE(render_event(proto::event{"ROOM", "lobby bob malice"}, look, "10:00").bell);
  EXPECT_FALSE(render_event(proto::event{"ROOM", "lobby alice alice here"}, look, "10:00").bell);
  const auto added =
      render_event(proto::event{"FILE_ADDED", "rust \"my slides.pdf\" 2097152 bob"}, look, "10:00");
  EXPECT_EQ(added.text, "[10:00] -- bob shared my slides.pdf (2.0 MiB) in rust");
  EXPECT_EQ(render_event(proto::event{"AWAY", "bob out for lunch"}, look, "10:00").text,
            "[10:00] -- bob is away: out for lunch");
  EXPECT_EQ(render_event(proto::event{"AWAY", "bob"}, look, "10:00").text,
            "[10:00] -- bob is back");
  const auto removed =
      render_event(proto::event{"FILE_REMOVED", "rust a.bin alice"}, look, "10:00");
  EXPECT_EQ(removed.text,
            "[10:00] -- alice removed a.bin from rust; this client stops sharing it (your copy "
            "stays)");
  EXPECT_EQ(render_event(proto::event{"REMOVED_FROM", "rust bob"}, look, "10:00").text,
            "[10:00] -- bob removed you from rust; this client stops sharing its files");
  // A peer's text never moves the cursor, colours or not.
  look.colour = true;
  const auto evil = render_event(proto::event{"ROOM", "lobby bob \x1b[2J"}, look, "10:00");
  EXPECT_EQ(evil.text.find("\x1b[2J"), std::string::npos);
  EXPECT_NE(evil.text.find("\\x1b[2J"), std::string::npos);
  // The same nick, the same colour.
  const auto a = render_event(proto::event{"ROOM", "lobby bob one"}, look, "10:00").text;
  const auto b = render_event(proto::event{"ROOM", "rust bob two"}, look, "10:00").text;
  const auto colour_of_bob = [](const std::string& t) {
    const auto at = t.find("bob");
    return t.substr(t.rfind("\x1b[", at), at - t.rfind("\x1b[", at));
  };
  EXPECT_EQ(colour_of_bob(a), colour_of_bob(b));
}

TEST(ClientChat, TabOffersWhatTheTrackerLastListed) {
  completions names;
  names.learn(line("list_groups"), proto::reply{true,
                                                {},
                                                "2 groups",
                                                {"rust owner=a members=1 mode=sealed",
                                                 "team owner=b members=2 mode=open"}});
  names.learn(line("who"), proto::reply{true, {}, "2 online", {"alice", "bob"}});
  names.learn(line("list_files rust"),
              proto::reply{true, {}, "1 file", {"\"my slides.pdf\" size=1 uploader=a"}});
  EXPECT_EQ(names.candidates("list_files "), (std::vector<std::string>{"rust", "team"}));
  EXPECT_EQ(names.candidates("/join "), (std::vector<std::string>{"rust", "team"}));
  EXPECT_EQ(names.candidates("msg "), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(names.candidates("/query "), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(names.candidates("download_file rust "), std::vector<std::string>{"\"my slides.pdf\""});
  EXPECT_EQ(names.candidates("download_file rust x "), std::nullopt);  // a path
  EXPECT_EQ(names.candidates("upload_file "), std::nullopt);
  EXPECT_EQ(names.candidates("room "), (std::vector<std::string>{"lobby", "pair", "rust", "team"}));
  EXPECT_EQ(names.candidates("hello "), (std::vector<std::string>{"alice", "bob"}));  // nicks
}

// A tracker decides what Tab offers, so what it can make the client hold is bounded, and a
// name that would put control characters into the line being typed is not learned.
TEST(ClientChat, TabLearnsOnlyNamesFitToOfferAndAtMostMaxNames) {
  completions names;
  names.learn(line("who"), proto::reply{true,
                                        {},
                                        "",
                                        {"alice", "\"evil\x1b[2Jname\"", "bad\xff\xfe",
                                         std::string(completions::max_name_bytes + 1, 'x'),
                                         std::string(completions::max_name_bytes, 'y')}});
  EXPECT_EQ(names.candidates("msg "),
            (std::vector<std::string>{"alice", std::string(completions::max_name_bytes, 'y')}));
  std::vector<std::string> flood;
  for (std::size_t i = 0; i < completions::max_names + 50; ++i) {
    flood.push_back("user" + std::to_string(i));
  }
  names.learn(line("who"), proto::reply{true, {}, "", flood});
  const auto offered = names.candidates("msg ");
  ASSERT_TRUE(offered);
  EXPECT_EQ(offered->size(), completions::max_names);
}

TEST(ClientChat, StatusLinesPerDownloadOrOneSummary) {
  p2p::transfer t;
  t.group = "rust";
  t.name = "big.iso";
  t.progress = 0.42;
  t.size = 10 * 1024 * 1024;
  t.rate = 1'500'000;
  t.eta_seconds = 75;
  t.peers = 3;
  p2p::transfer seeding = t;
  seeding.what = p2p::transfer::state::seeding;
  EXPECT_TRUE(status_lines({seeding}).empty());
  EXPECT_EQ(status_lines({t, seeding}),
            std::vector<std::string>{"[rust] big.iso 42% of 10.0 MiB 1.5 MB/s ETA 1:15 peers 3"});
  const auto many = status_lines({t, t, t, t});
  ASSERT_EQ(many.size(), 1u);
  EXPECT_EQ(many[0], "4 downloads 42% of 40.0 MiB 6.0 MB/s ETA 0:04 peers 12");
  EXPECT_EQ(human_eta(-1), "?");
  EXPECT_EQ(human_eta(3723), "1:02:03");
}

}  // namespace
}  // namespace swarmhub::client
