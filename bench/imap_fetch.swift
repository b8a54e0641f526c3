// Our client's side of bench/imap.sh: connect, log in, EXAMINE the folder, list the UIDs and
// fetch every letter through IMAPClient.fetch (pipelined batches, sizes asked first).
// Built by bench/imap.sh with swiftc -O together with Sources/InletMail/IMAP/*.swift.
// Prints: client <letters> <seconds> <bytes>.
//
//   imap_fetch URL USER PASSWORD [BATCH] [DEPTH]

import Foundation

@main
enum IMAPFetchBench {
  static func main() throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 4 else {
      FileHandle.standardError.write(Data("usage: imap_fetch URL USER PASSWORD [BATCH]\n".utf8))
      exit(2)
    }
    let batch = arguments.count > 4 ? Int(arguments[4]) ?? 500 : 500
    let endpoint = IMAPEndpoint(
      url: arguments[1], username: arguments[2], credential: .password(arguments[3]), tls: .none,
      timeout: 30)
    let start = DispatchTime.now().uptimeNanoseconds
    let client = try IMAPClient(endpoint: endpoint)
    if arguments.count > 5, let depth = Int(arguments[5]) { client.pipelineDepth = depth }
    try client.connect()
    _ = try client.select(endpoint.folder, readOnly: true)
    var letters = 0
    var bytes = 0
    try client.fetch(uids: try client.uidsAbove(0), maxBytes: 25 << 20, batch: batch) {
      letters += 1
      bytes += $0.bytes.count
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    client.logout()
    print("client \(letters) \(String(format: "%.4f", seconds)) \(bytes)")
  }
}
