import Foundation
import Testing

/// `scripts/install` into a temporary root (`DESTDIR`) with the already built binary.
@Suite struct InstallScriptTests {
  @Test func installsIntoDestdirAndKeepsWhatExists() throws {
    let root = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-install-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let first = try install(into: root)
    #expect(first.status == 0, "\(first.output)\(first.error)")
    #expect(first.output.contains("systemctl enable --now inlet"))

    func path(_ relative: String) -> String { root.path + relative }
    let files = FileManager.default
    #expect(files.isExecutableFile(atPath: path("/usr/local/bin/inlet")))
    #expect(files.fileExists(atPath: path("/usr/local/share/inlet/channels/generic.yaml")))
    let unit = try String(
      contentsOfFile: path("/etc/systemd/system/inlet.service"), encoding: .utf8)
    #expect(
      unit.contains("\nExecStart=/usr/local/bin/inlet serve --config /etc/inlet/inlet.yaml\n"))
    let dropin = try String(
      contentsOfFile: path("/etc/systemd/system/inlet.service.d/credentials.conf"),
      encoding: .utf8)
    #expect(dropin.contains("LoadCredential=site-token:/etc/inlet/credentials/site-token"))
    // A staged tree (a package) gets no secrets every server would share: the script that
    // makes them on the target, which the package runs there.
    let secret = path("/etc/inlet/credentials/site-token")
    #expect(!files.fileExists(atPath: secret))
    #expect(first.output.contains("/usr/local/share/inlet/make-secrets on each machine"))
    let makeSecrets = path("/usr/local/share/inlet/make-secrets")
    #expect(files.isExecutableFile(atPath: makeSecrets))
    let made = try DaemonHarness.run(URL(fileURLWithPath: makeSecrets), [root.path])
    #expect(made.status == 0, "\(made.output)\(made.error)")
    #expect(made.output.contains("made \(root.path)/etc/inlet/credentials/api-crm"))
    let mode = try files.attributesOfItem(atPath: secret)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    let token = try String(contentsOfFile: secret, encoding: .utf8)
    #expect(token.count >= 24)

    let config = try String(contentsOfFile: path("/etc/inlet/inlet.yaml"), encoding: .utf8)
    #expect(config.contains("channels_dir: /usr/local/share/inlet/channels"))
    #expect(config.contains("path: /var/lib/inlet/inlet.sqlite"))
    // The installed config is valid once its absolute paths point into the temporary root.
    let staged = path("/etc/inlet/staged.yaml")
    try config.replacingOccurrences(of: ": /", with: ": \(root.path)/")
      .write(toFile: staged, atomically: true, encoding: .utf8)
    let check = try DaemonHarness.run(DaemonHarness.binary, ["check-config", "--config", staged])
    #expect(check.status == 0, "\(check.output)\(check.error)")

    // Again: the config and the secrets are kept, and so is a definition the administrator
    // corrected (this version's goes beside it); an untouched one is replaced.
    try "# edited\n".write(toFile: path("/etc/inlet/inlet.yaml"), atomically: true, encoding: .utf8)
    let corrected = path("/usr/local/share/inlet/channels/tilda.yaml")
    let shipped = try String(contentsOfFile: corrected, encoding: .utf8)
    try (shipped + "# corrected here\n").write(toFile: corrected, atomically: true, encoding: .utf8)
    let untouched = path("/usr/local/share/inlet/channels/generic.yaml")
    try "stale".write(
      toFile: path("/usr/local/share/inlet/channels/.shipped/generic.yaml"), atomically: true,
      encoding: .utf8)
    try "stale".write(toFile: untouched, atomically: true, encoding: .utf8)
    // An edited file from an install that kept no copy: replaced, the old one kept aside.
    let unknown = path("/usr/local/share/inlet/channels/vk.yaml")
    try FileManager.default.removeItem(
      atPath: path("/usr/local/share/inlet/channels/.shipped/vk.yaml"))
    try "# an older or edited vk\n".write(toFile: unknown, atomically: true, encoding: .utf8)
    let second = try install(into: root)
    #expect(second.status == 0)
    #expect(second.output.contains("kept your changed"), "\(second.output)")
    #expect(second.output.contains("systemctl restart inlet"))
    #expect(try String(contentsOfFile: corrected, encoding: .utf8).hasSuffix("# corrected here\n"))
    #expect(try String(contentsOfFile: corrected + ".new", encoding: .utf8) == shipped)
    #expect(try String(contentsOfFile: untouched, encoding: .utf8) != "stale")
    #expect(!files.fileExists(atPath: untouched + ".new"))
    #expect(
      try String(contentsOfFile: unknown + ".bak", encoding: .utf8) == "# an older or edited vk\n")
    #expect(try String(contentsOfFile: unknown, encoding: .utf8) != "# an older or edited vk\n")
    #expect(
      try String(contentsOfFile: path("/etc/inlet/inlet.yaml"), encoding: .utf8) == "# edited\n")
    #expect(try String(contentsOfFile: secret, encoding: .utf8) == token)
    // Run again on the target (a package upgrade): what exists stays.
    let again = try DaemonHarness.run(URL(fileURLWithPath: makeSecrets), [root.path])
    #expect(again.status == 0 && again.output.isEmpty, "\(again.output)\(again.error)")
    #expect(try String(contentsOfFile: secret, encoding: .utf8) == token)
  }

  /// A binary that loads a library from a home folder (a toolchain's runtime there) would not
  /// start under the unit's ProtectHome=yes: the install refuses it and says how to build one.
  @Test func refusesABinaryThatLoadsLibrariesFromAHomeFolder() throws {
    let home = FileManager.default.homeDirectoryForCurrentUser.standardizedFileURL
    try #require(
      ["/home/", "/root/"].contains { (home.path + "/").hasPrefix($0) },
      "the test builds a library in the home folder \(home.path)")
    let work = home.appendingPathComponent(".cache/inlet-install-test-\(UUID().uuidString)")
    let root = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-install-\(UUID().uuidString)")
    defer {
      try? FileManager.default.removeItem(at: work)
      try? FileManager.default.removeItem(at: root)
    }
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    try "int runtime(void) { return 0; }\n".write(
      to: work.appendingPathComponent("runtime.c"), atomically: true, encoding: .utf8)
    try "int runtime(void);\nint main(void) { return runtime(); }\n".write(
      to: work.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
    let env = URL(fileURLWithPath: "/usr/bin/env")
    let library = try DaemonHarness.run(
      env,
      ["clang", "-shared", "-fPIC", "-o", work.path + "/libruntime.so", work.path + "/runtime.c"])
    try #require(library.status == 0, "\(library.error)")
    let binary = work.appendingPathComponent("inlet")
    let linked = try DaemonHarness.run(
      env,
      [
        "clang", "-o", binary.path, work.path + "/main.c", "-L" + work.path, "-lruntime",
        "-Wl,-rpath," + work.path,
      ])
    try #require(linked.status == 0, "\(linked.error)")

    let script = DaemonHarness.repositoryRoot.appendingPathComponent("scripts/install")
    let refused = try DaemonHarness.run(
      env, ["DESTDIR=\(root.path)", "INLET_BINARY=\(binary.path)", script.path])
    #expect(refused.status == 1)
    #expect(refused.error.contains("loads libraries from a home folder"), "\(refused.error)")
    #expect(refused.error.contains(work.path + "/libruntime.so"))
    #expect(refused.error.contains("--static-swift-stdlib"))
    #expect(!FileManager.default.fileExists(atPath: root.path + "/usr/local/bin/inlet"))
  }

  private func install(into root: URL) throws -> (status: Int32, output: String, error: String) {
    let script = DaemonHarness.repositoryRoot.appendingPathComponent("scripts/install")
    return try DaemonHarness.run(
      URL(fileURLWithPath: "/usr/bin/env"),
      [
        // The debug build links the toolchain's runtime, which may be in a home folder.
        "DESTDIR=\(root.path)", "INLET_BINARY=\(DaemonHarness.binary.path)",
        "INLET_ALLOW_HOME_LIBRARIES=1", script.path,
      ])
  }
}
