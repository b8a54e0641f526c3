import Foundation
import Synchronization
import Yams

/// A definition file that cannot be used, with where and why.
public struct DefinitionError: Error, Sendable, CustomStringConvertible {
  /// The file (or definition name) at fault.
  public var file: String
  /// `key.path: problem`.
  public var problem: String

  public init(file: String, problem: String) {
    self.file = file
    self.problem = problem
  }

  public var description: String { "\(file): \(problem)" }
}

/// Parses and validates channel definitions.
public enum ChannelDefinitionLoader {
  /// The template namespaces replies and idempotency keys may use.
  static let replyNamespaces: Set<String> = [
    "inquiry", "raw", "query", "field", "header", "option", "secret", "request", "caller",
  ]

  /// Parses one definition from YAML text; `name` is used when the file does not give one.
  public static func parse(
    yaml: String, name: String, file: String? = nil,
    schemes: AuthSchemeRegistry = .builtIn
  ) throws(DefinitionError) -> ChannelDefinition {
    let label = file ?? name
    var definition: ChannelDefinition
    do {
      definition = try YAMLDecoder().decode(ChannelDefinition.self, from: yaml)
    } catch let error as DecodingError {
      throw DefinitionError(file: label, problem: DecodingProblem.describe(error))
    } catch {
      throw DefinitionError(file: label, problem: "not valid YAML: \(error)")
    }
    if definition.name.isEmpty { definition.name = name }
    try validate(definition, file: label, schemes: schemes)
    definition.templateSecrets = templateSecrets(of: definition)
    return definition
  }

  /// Reads every `*.yaml` in a folder, by definition name.
  public static func loadDirectory(
    _ url: URL, schemes: AuthSchemeRegistry = .builtIn
  ) throws(DefinitionError) -> [String: ChannelDefinition] {
    let files: [URL]
    do {
      files = try FileManager.default.contentsOfDirectory(
        at: url, includingPropertiesForKeys: nil
      ).filter { ["yaml", "yml"].contains($0.pathExtension) }
    } catch {
      throw DefinitionError(
        file: url.path, problem: "cannot read the channel definitions folder (\(error))")
    }
    // The files are parsed on every core (decoding YAML is most of a command's start-up); the
    // first problem reported is still the first file's in path order.
    let sorted = files.sorted(by: { $0.path < $1.path })
    let results = Mutex(
      [Result<ChannelDefinition, DefinitionError>?](repeating: nil, count: sorted.count))
    DispatchQueue.concurrentPerform(iterations: sorted.count) { index in
      let result = Result { () throws(DefinitionError) -> ChannelDefinition in
        try parseFile(sorted[index], schemes: schemes)
      }
      results.withLock { $0[index] = result }
    }
    var definitions: [String: ChannelDefinition] = [:]
    var origins: [String: URL] = [:]
    for (file, result) in zip(sorted, results.withLock { $0 }) {
      let definition = try result!.get()
      if let first = origins[definition.name] {
        // Mostly a copy made to start a definition of one's own, its `name:` left as it was:
        // both files are named, and the one whose file name differs from it is the copy.
        let copies = [first, file].filter {
          $0.deletingPathExtension().lastPathComponent != definition.name
        }
        let hint =
          (copies.count == 1 ? copies.first : nil).map {
            "; give the copy its own name (`name: \($0.deletingPathExtension().lastPathComponent)`)"
              + " or move it out of the folder"
          } ?? ""
        throw DefinitionError(
          file: file.path,
          problem: "name: `\(definition.name)` is defined twice, here and in \(first.path)\(hint)")
      }
      definitions[definition.name] = definition
      origins[definition.name] = file
    }
    return definitions
  }

  private static func parseFile(
    _ file: URL, schemes: AuthSchemeRegistry
  ) throws(DefinitionError) -> ChannelDefinition {
    let text: String
    do {
      text = try String(contentsOf: file, encoding: .utf8)
    } catch {
      throw DefinitionError(file: file.path, problem: "cannot be read as UTF-8 (\(error))")
    }
    let name = file.deletingPathExtension().lastPathComponent
    return try parse(yaml: text, name: name, file: file.path, schemes: schemes)
  }

  static func validate(
    _ definition: ChannelDefinition, file: String, schemes: AuthSchemeRegistry
  ) throws(DefinitionError) {
    guard schemes.scheme(named: definition.auth.scheme) != nil else {
      throw DefinitionError(
        file: file,
        problem: "auth.scheme: unknown scheme `\(definition.auth.scheme)` (built in: "
          + schemes.names.joined(separator: ", ") + ")")
    }
    guard !definition.body.accept.isEmpty else {
      throw DefinitionError(file: file, problem: "body.accept: list at least one decoder")
    }
    guard !definition.events.isEmpty else {
      throw DefinitionError(file: file, problem: "events: list at least one event")
    }
    for (index, event) in definition.events.enumerated() {
      // A one-event definition's settings are written at the top level: report them there.
      let at = definition.hasImplicitEvent ? "" : "events[\(index)]"
      if let requireAny = event.requireAny {
        for target in requireAny where !Event.targets.contains(target) {
          throw DefinitionError(
            file: file, problem: "\(key(at, "require_any")): unknown inquiry field `\(target)`")
        }
      }
    }
    for (template, at) in templates(of: definition) {
      try checkNamespaces(template, at: at, file: file)
    }
    for (template, at) in definition.subscription?.templates ?? [] {
      for namespace in template.namespaces
      where !SubscriptionSpec.namespaces.contains(namespace) {
        throw DefinitionError(
          file: file,
          problem: "\(at): unknown placeholder namespace `\(namespace)` in `\(template.source)` "
            + "(one of: \(SubscriptionSpec.namespaces.sorted().joined(separator: ", ")))")
      }
      if template.namespaces.contains("hook"), template.keys(namespace: "hook") != ["url"] {
        throw DefinitionError(
          file: file, problem: "\(at): the `hook` namespace has one key, `url`")
      }
    }
  }

  /// Every template of a definition with its key path: field rules, idempotency keys, replies
  /// and handshakes.
  static func templates(of definition: ChannelDefinition) -> [(Template, String)] {
    var found: [(Template, String)] = []
    for (index, event) in definition.events.enumerated() {
      let at = definition.hasImplicitEvent ? "" : "events[\(index)]"
      for (target, rule) in event.fields {
        if let template = rule.template {
          found.append((template, key(at, "fields.\(target).template")))
        }
      }
      if let template = event.idempotency?.template {
        found.append((template, key(at, "idempotency.template")))
      }
      for (label, reply) in replyList(event.reply) {
        replyTemplates(reply, at: key(at, "reply.\(label)"), into: &found)
      }
    }
    // The top-level replies also answer inputs no event handled (an unreadable body).
    if !definition.hasImplicitEvent {
      for (label, reply) in replyList(definition.reply) {
        replyTemplates(reply, at: "reply.\(label)", into: &found)
      }
    }
    for (index, handshake) in definition.handshakes.enumerated() {
      replyTemplates(handshake.reply, at: "handshakes[\(index)].reply", into: &found)
      if let verify = handshake.verify {
        found.append((verify.presented, "handshakes[\(index)].verify.presented"))
        found.append((verify.expected, "handshakes[\(index)].verify.expected"))
      }
    }
    if let template = definition.idempotency?.template {
      found.append((template, "idempotency.template"))
    }
    return found
  }

  /// The secrets a definition's templates read (`{{secret.confirmation}}`): an instance must
  /// configure them like the ones its auth scheme needs.
  static func templateSecrets(of definition: ChannelDefinition) -> Set<String> {
    Set(
      (templates(of: definition) + (definition.subscription?.templates ?? [])).flatMap {
        $0.0.keys(namespace: "secret")
      })
  }

  private static func key(_ prefix: String, _ rest: String) -> String {
    prefix.isEmpty ? rest : "\(prefix).\(rest)"
  }

  private static func replyList(_ replies: Replies?) -> [(String, Reply)] {
    guard let replies else { return [] }
    var list = [
      ("created", replies.created), ("duplicate", replies.duplicate),
      ("ignored", replies.ignored),
    ]
    if let quarantined = replies.quarantined { list.append(("quarantined", quarantined)) }
    return list
  }

  private static func replyTemplates(
    _ reply: Reply, at: String, into found: inout [(Template, String)]
  ) {
    if let text = reply.text { found.append((text, "\(at).text")) }
    if let redirect = reply.redirect { found.append((redirect, "\(at).redirect")) }
    for (name, template) in reply.headers { found.append((template, "\(at).headers.\(name)")) }
    found += reply.jsonTemplate?.templates(at: "\(at).json") ?? []
  }

  private static func checkNamespaces(_ template: Template, at: String, file: String)
    throws(DefinitionError)
  {
    for namespace in template.namespaces where !replyNamespaces.contains(namespace) {
      throw DefinitionError(
        file: file,
        problem: "\(at): unknown placeholder namespace `\(namespace)` in `\(template.source)` "
          + "(one of: \(replyNamespaces.sorted().joined(separator: ", ")))")
    }
  }
}
