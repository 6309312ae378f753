// The outbox through the engine, against the in-memory server: batching, idempotent retries,
// spools that outlive an engine, the background sender and sync_send's wait, and group
// commit (each batch durable in the spool before its append).
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "engine_client.hpp"
#include "page_cache.hpp"

namespace ftpchat {
namespace {

using testing::count_of;
using testing::EngineClient;
using testing::MemoryTransport;

class OutboxEngineTest : public testing::StateDirTest {
 protected:
  OutboxEngineTest() : StateDirTest("ftpchat-outbox-test") {}
  std::filesystem::path state(const std::string& who) { return state_ / who; }
  std::string own_file() {
    for (const auto& [path, data] : server_.files)
      if (path.ends_with(".w")) return path;
    return "";
  }

  MemoryTransport server_;
};

TEST_F(OutboxEngineTest, QueuedMessagesGoUpInOneAppend) {
  EngineClient alice(server_, "alice", state("a")), bob(server_, "bob", state("b"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  auto room = alice.room("r");
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(room->enqueue({"m" + std::to_string(i)}));
  EXPECT_EQ(room->counters().pending, 10u);
  EXPECT_EQ(server_.appends, 0);  // enqueue never touches the network
  ASSERT_TRUE(room->upload_pending());
  EXPECT_EQ(server_.appends, 1);
  EXPECT_EQ(room->counters().pending, 0u);
  EXPECT_EQ(room->counters().sent, 10u);
  ASSERT_TRUE(bob.engine->start());
  const std::string log = bob.text("r");
  std::size_t last = 0;
  for (int i = 0; i < 10; ++i) {
    auto at = log.find("<alice> m" + std::to_string(i) + "\n");
    ASSERT_NE(at, std::string::npos);
    EXPECT_GE(at, last);
    last = at;
  }
}

TEST_F(OutboxEngineTest, RetryAfterAnAppendThatLandedSendsOnlyWhatIsMissing) {
  EngineClient alice(server_, "alice", state("a")), bob(server_, "bob", state("b"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  auto room = alice.room("r");
  ASSERT_TRUE(room->enqueue({"one", "two"}));
  server_.fail_next_appends = 1;
  server_.land_failed_appends = true;  // the append landed, its answer was lost
  ASSERT_FALSE(room->upload_pending());
  EXPECT_EQ(room->counters().pending, 2u);
  EXPECT_NE(room->counters().last_error(), "");
  ASSERT_TRUE(room->enqueue({"three"}));
  const std::string before = server_.files[own_file()];
  ASSERT_TRUE(room->upload_pending());
  // Only "three" went up again: the file grew by exactly one framed record.
  const std::string after = server_.files[own_file()];
  EXPECT_EQ(count_of(after.substr(before.size()), "\n"), 2u);
  EXPECT_EQ(room->counters().pending, 0u);
  EXPECT_EQ(room->counters().sent, 3u);
  ASSERT_TRUE(bob.engine->start());
  for (EngineClient* c : {&alice, &bob}) {
    const std::string log = c->text("r");
    for (const char* m : {"<alice> one\n", "<alice> two\n", "<alice> three\n"})
      EXPECT_EQ(count_of(log, m), 1u) << m << log;
  }
  EXPECT_EQ(bob.room("r")->counters().duplicates, 0u);
}

TEST_F(OutboxEngineTest, ARetriedAppendThatLandedTwiceIsShownOnce) {
  EngineClient alice(server_, "alice", state("a")), bob(server_, "bob", state("b"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  ASSERT_TRUE(alice.room("r")->send({"hello"}));
  const std::string path = own_file();
  server_.files[path] += server_.files[path];  // a server that stored the append twice
  ASSERT_TRUE(bob.engine->start());
  EXPECT_EQ(count_of(bob.text("r"), "<alice> hello\n"), 1u);
  EXPECT_EQ(bob.room("r")->counters().duplicates, 1u);
}

TEST_F(OutboxEngineTest, SpooledMessagesOutliveTheEngineAndGoOutExactlyOnce) {
  {
    EngineClient alice(server_, "alice", state("a"));
    ASSERT_TRUE(alice.engine->start());
    ASSERT_TRUE(alice.engine->create_room("r"));
    ASSERT_TRUE(alice.room("r")->send({"sent"}));
    server_.fail_next_appends = 1000;  // the server is gone
    ASSERT_TRUE(alice.room("r")->enqueue({"queued 1", "queued 2"}));
    EXPECT_FALSE(alice.room("r")->upload_pending());
    EXPECT_EQ(alice.room("r")->counters().pending, 2u);
  }  // unmount (or a crash: nothing but the spool survives)
  server_.fail_next_appends = 0;
  EngineClient again(server_, "alice", state("a")), bob(server_, "bob", state("b"));
  ASSERT_TRUE(again.engine->start());
  auto room = again.room("r");
  EXPECT_TRUE(room->has_outbox_work());
  ASSERT_TRUE(room->upload_pending());
  EXPECT_EQ(room->counters().pending, 0u);
  ASSERT_TRUE(bob.engine->start());
  for (EngineClient* c : {&again, &bob}) {
    const std::string log = c->text("r");
    EXPECT_EQ(count_of(log, "<alice> sent\n"), 1u) << log;
    EXPECT_EQ(count_of(log, "<alice> queued 1\n"), 1u) << log;
    EXPECT_EQ(count_of(log, "<alice> queued 2\n"), 1u) << log;
    EXPECT_LT(log.find("queued 1"), log.find("queued 2"));
  }
  int writer_files = 0;
  for (const auto& [path, data] : server_.files) writer_files += path.ends_with(".w");
  EXPECT_EQ(writer_files, 1);  // the spool's writer id was reused
}

TEST_F(OutboxEngineTest, SpooledRecordsThatLandedBeforeACrashAreNotSentTwice) {
  {
    EngineClient alice(server_, "alice", state("a"));
    ASSERT_TRUE(alice.engine->start());
    ASSERT_TRUE(alice.engine->create_room("r"));
    ASSERT_TRUE(alice.room("r")->enqueue({"landed"}));
    server_.fail_next_appends = 1;
    server_.land_failed_appends = true;  // on the server, but never acknowledged locally
    EXPECT_FALSE(alice.room("r")->upload_pending());
  }
  EngineClient again(server_, "alice", state("a")), bob(server_, "bob", state("b"));
  ASSERT_TRUE(again.engine->start());
  const std::string before = server_.files[own_file()];
  ASSERT_TRUE(again.room("r")->upload_pending());
  EXPECT_EQ(server_.files[own_file()], before);  // re-read first: nothing left to send
  ASSERT_TRUE(bob.engine->start());
  EXPECT_EQ(count_of(bob.text("r"), "<alice> landed\n"), 1u);
}

TEST_F(OutboxEngineTest, TheBackgroundSenderDeliversAndWaitUploadedSeesIt) {
  EngineClient alice(server_, "alice", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  alice.engine->start_poller();
  auto seq = alice.room("r")->enqueue({"by the sender"});
  ASSERT_TRUE(seq);
  ASSERT_TRUE(alice.room("r")->wait_uploaded(seq.value(), std::chrono::seconds(5)));
  EXPECT_NE(server_.files[own_file()].find('\n'), std::string::npos);
  alice.engine->stop_poller();
}

TEST_F(OutboxEngineTest, WaitUploadedTimesOutWhileTheServerFails) {
  EngineClient alice(server_, "alice", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  server_.fail_next_appends = 1000;
  alice.engine->start_poller();
  auto seq = alice.room("r")->enqueue({"stuck"});
  ASSERT_TRUE(seq);
  auto waited = alice.room("r")->wait_uploaded(seq.value(), std::chrono::milliseconds(300));
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, Errc::timeout);
  EXPECT_EQ(alice.room("r")->counters().pending, 1u);
  server_.fail_next_appends = 0;  // (the sender is in backoff: at most 250-500 ms)
  EXPECT_TRUE(alice.room("r")->wait_uploaded(seq.value(), std::chrono::seconds(5)));
  alice.engine->stop_poller();
}

std::filesystem::path find_spool(const std::filesystem::path& state) {
  const std::regex name("spool-[0-9a-f]{32}");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(state))
    if (std::regex_match(entry.path().filename().string(), name)) return entry.path();
  return {};
}

// Rule 5 of room_sender.cpp: enqueue leaves the records in the page cache; the upload
// fdatasyncs them before the append that carries them, once per batch.
TEST_F(OutboxEngineTest, EachBatchIsDurableInTheSpoolBeforeItsAppend) {
  std::filesystem::create_directories(state_);
  if (!testing::page_cache_observable(state_)) GTEST_SKIP() << "cachestat(2) cannot tell here";
  std::filesystem::path spool;
  std::vector<std::uint64_t> unsynced_at_append;
  auto watch = [&] {
    if (!spool.empty()) unsynced_at_append.push_back(testing::unsynced_pages(spool).value_or(99));
  };
  EngineConfig cfg;
  cfg.nick = "alice";
  cfg.state_dir = state("a");
  Logger log("test", LogLevel::error);
  testing::FixedClock clock;
  ChatEngine engine(std::make_unique<testing::SharedMemoryTransport>(server_, watch), cfg,
                    SecretBytes::from("pw"), log, clock);
  ASSERT_TRUE(engine.start());
  ASSERT_TRUE(engine.create_room("r"));
  auto room = engine.find("r", std::chrono::milliseconds(0))->room;
  for (int batch = 0; batch < 3; ++batch) {
    ASSERT_TRUE(room->enqueue({"a" + std::to_string(batch), "b" + std::to_string(batch)}));
    spool = find_spool(state("a"));
    ASSERT_FALSE(spool.empty());
    ASSERT_TRUE(room->upload_pending());
  }
  EXPECT_EQ(unsynced_at_append, (std::vector<std::uint64_t>{0, 0, 0}));
  EXPECT_EQ(room->counters().sent, 6u);
}

// fsync(2) on outbox ends in make_spool_durable(): the spool is on disk, nothing is sent.
TEST_F(OutboxEngineTest, MakeSpoolDurableSyncsWithoutSending) {
  EngineClient alice(server_, "alice", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  auto room = alice.room("r");
  ASSERT_TRUE(room->make_spool_durable());  // no spool yet: nothing to do
  ASSERT_TRUE(room->enqueue({"kept"}));
  const auto spool = find_spool(state("a"));
  if (!testing::page_cache_observable(spool.parent_path()))
    GTEST_SKIP() << "cachestat(2) cannot tell here";
  ASSERT_TRUE(room->make_spool_durable());
  EXPECT_EQ(testing::unsynced_pages(spool), 0u);
  EXPECT_EQ(server_.appends, 0);
  EXPECT_EQ(room->counters().pending, 1u);
}

TEST_F(OutboxEngineTest, OversizedMessagesAreRefusedBeforeAnythingIsSpooled) {
  EngineClient alice(server_, "alice", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  auto queued = alice.room("r")->enqueue({"fine", std::string(kMaxBodyBytes + 1, 'x')});
  ASSERT_FALSE(queued);
  EXPECT_EQ(queued.error().code, Errc::too_large);
  EXPECT_EQ(alice.room("r")->counters().pending, 0u);
  EXPECT_EQ(alice.room("r")->read_log(0, 1 << 20).find("fine"), std::string::npos);
}

}  // namespace
}  // namespace ftpchat

namespace ftpchat {
namespace {

// Issue 10: with the state folder full, the acked file cannot be written. What the server has
// must still count (no second upload, no duplicates for readers), ROOM/status must say so, and
// the file must be brought up to date once it can be written again.
TEST_F(OutboxEngineTest, AnAckedFileThatCannotBeWrittenNeverMakesTheSenderUploadAgain) {
  EngineClient alice(server_, "alice", state("a")), bob(server_, "bob", state("b"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  auto room = alice.room("r");
  ASSERT_TRUE(room->send({"first"}));
  const std::filesystem::path dir = state("a") / "rooms" / room->folder();
  const std::filesystem::path acked = dir / ("acked-" + room->counters().writer);
  ASSERT_TRUE(std::filesystem::exists(acked));
  // /dev/full answers every write with ENOSPC, as a full disk does.
  std::filesystem::remove(acked);
  std::filesystem::create_symlink("/dev/full", acked);
  ASSERT_TRUE(room->enqueue({"second", "third"}));
  ASSERT_TRUE(room->upload_pending());
  const int appends = server_.appends;
  EXPECT_EQ(room->counters().pending, 0u);
  EXPECT_NE(room->counters().local_error.find("No space left on device"), std::string::npos)
      << room->counters().local_error;
  EXPECT_NE(room->status_text().find("state: local storage failing: "), std::string::npos);
  EXPECT_TRUE(room->has_outbox_work());  // the acked file is still to be written
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(room->upload_pending());
  EXPECT_EQ(server_.appends, appends) << "uploaded again what the server has";
  // Space is back: the next pass writes the file and the error clears.
  std::filesystem::remove(acked);
  ASSERT_TRUE(room->upload_pending());
  EXPECT_EQ(room->counters().local_error, "");
  EXPECT_FALSE(room->has_outbox_work());
  std::ifstream in(acked);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "00000000000000000003");
  ASSERT_TRUE(bob.engine->start());
  const std::string log = bob.text("r");
  for (const char* m : {"<alice> first\n", "<alice> second\n", "<alice> third\n"})
    EXPECT_EQ(count_of(log, m), 1u) << m << log;
  EXPECT_EQ(bob.room("r")->counters().duplicates, 0u);
}

}  // namespace
}  // namespace ftpchat

namespace ftpchat {
namespace {

// After an outage, uploads wait out a backoff of up to 30 s; a poll that reaches the server
// again ends it, so the queue goes up at once. (Six failed appends mean 15.75 s of backoff
// without that; the poller answers every 250 ms.)
TEST_F(OutboxEngineTest, AServerThatAnswersAgainEndsTheSendersBackoff) {
  EngineClient alice(server_, "alice", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  auto room = alice.room("r");
  server_.fail_next_appends = 6;
  alice.engine->start_poller();
  ASSERT_TRUE(room->enqueue({"queued during the outage"}));
  const auto started = std::chrono::steady_clock::now();
  while (room->counters().pending > 0 &&
         std::chrono::steady_clock::now() - started < std::chrono::seconds(8))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  alice.engine->stop_poller();
  EXPECT_EQ(room->counters().pending, 0u) << "still in backoff after 8 s";
  EXPECT_EQ(server_.fail_next_appends, 0);
}

// A server that answers listings but refuses uploads with a reply (a full disk) keeps the
// backoff: no upload per poll.
TEST_F(OutboxEngineTest, UploadsRefusedByAnAnsweringServerKeepTheirBackoff) {
  EngineClient alice(server_, "alice", state("a"));
  ASSERT_TRUE(alice.engine->start());
  ASSERT_TRUE(alice.engine->create_room("r"));
  auto room = alice.room("r");
  server_.refuse_appends = true;
  alice.engine->start_poller();
  ASSERT_TRUE(room->enqueue({"refused"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  alice.engine->stop_poller();
  // 250 + 500 + 1000 ms of backoff fit in 3 s: at most 4 attempts, not one per poll (12).
  EXPECT_LE(server_.refused_appends, 4);
  EXPECT_GE(server_.refused_appends, 2);
}

}  // namespace
}  // namespace ftpchat
