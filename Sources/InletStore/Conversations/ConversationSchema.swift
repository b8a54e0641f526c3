import GRDB

/// Columns that tie messenger inquiries to their conversation (continuations).
enum ConversationSchema {
  static func create(in db: Database) throws {
    try db.alter(table: "inquiries") { t in
      // `<channel>:<chat or peer id>`; NULL for inquiries that are not conversations.
      t.add(column: "conversation_key", .text)
      // The time of the conversation's latest message (the window runs from it).
      t.add(column: "last_message_at", .double)
    }
    try db.create(
      index: "inquiries_conversation", on: "inquiries", columns: ["conversation_key", "id"])
  }
}
