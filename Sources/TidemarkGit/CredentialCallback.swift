import CGit2
import Foundation

/// What the remote callbacks read: credentials (offered once per fetch, so wrong ones fail instead of looping)
/// and the known hosts with the remote's port.
final class CredentialPayload {
    let credentials: GitCredentials
    let knownHosts: KnownHosts?
    let port: Int?
    var attempts = 0
    /// What the person must set, when a callback refused for want of it.
    var remedy: GitRemedy?

    init(credentials: GitCredentials, url: String) {
        self.credentials = credentials
        knownHosts = credentials.knownHostsFile.map(KnownHosts.init(path:))
        port = URLComponents(string: url)?.port
    }
}

/// libgit2's credential callback: a token for https, a key file for ssh, the URL's user name when asked for one.
let credentialCallback: git_credential_acquire_cb = { out, _, usernameFromURL, allowedTypes, payload in
    guard let out, let payload else { return -1 }
    let box = Unmanaged<CredentialPayload>.fromOpaque(payload).takeUnretainedValue()
    let credentials = box.credentials
    let urlUser = usernameFromURL.map { String(cString: $0) }
    func allows(_ type: git_credential_t) -> Bool { allowedTypes & type.rawValue != 0 }

    if allowedTypes == GIT_CREDENTIAL_USERNAME.rawValue {
        return git_credential_username_new(out, urlUser ?? "git")
    }
    box.attempts += 1
    guard box.attempts == 1 else {
        git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), "the remote refused the credentials")
        return GIT_EAUTH.rawValue
    }
    if allows(GIT_CREDENTIAL_USERPASS_PLAINTEXT), let token = credentials.token {
        return git_credential_userpass_plaintext_new(out, credentials.tokenUsername, token)
    }
    if allows(GIT_CREDENTIAL_SSH_KEY), let key = credentials.sshKeyFile {
        let publicKey = key + ".pub"
        return git_credential_ssh_key_new(
            out, urlUser ?? "git", access(publicKey, R_OK) == 0 ? publicKey : nil, key,
            credentials.sshKeyPassphrase)
    }
    box.remedy = allows(GIT_CREDENTIAL_SSH_KEY) ? .giveSSHKey : .giveToken
    git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), "the remote asks for credentials and none were given")
    return GIT_EAUTH.rawValue
}

/// libgit2's certificate callback: TLS is left to libgit2; an ssh host key must be in the known_hosts file.
let certificateCallback: git_transport_certificate_check_cb = { cert, _, host, payload in
    guard let cert, let payload else { return -1 }
    guard cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else { return GIT_PASSTHROUGH.rawValue }
    let box = Unmanaged<CredentialPayload>.fromOpaque(payload).takeUnretainedValue()
    let hostKey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
    let hostName = host.map { String(cString: $0) } ?? "?"
    let name = KnownHosts.name(host: hostName, port: box.port)
    guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey else {
        git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), "the ssh server's host key of \(name) cannot be checked")
        return GIT_ECERTIFICATE.rawValue
    }
    let key = Array(UnsafeRawBufferPointer(start: raw, count: hostKey.hostkey_len))
    let fingerprint = withUnsafeBytes(of: hostKey.hash_sha256) {
        "SHA256:" + Data($0).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }
    guard let knownHosts = box.knownHosts else {
        box.remedy = .giveKnownHosts
        git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), "no known_hosts file to check the host key of \(name) (\(fingerprint)) against")
        return GIT_ECERTIFICATE.rawValue
    }
    switch knownHosts.verify(host: hostName, port: box.port, key: key) {
    case .trusted:
        return 0
    case .unknown:
        git_error_set_str(
            Int32(GIT_ERROR_SSH.rawValue),
            "the host key of \(name) (\(fingerprint)) is not in \(knownHosts.path); "
                + "check the fingerprint and add it, e.g. "
                + "ssh-keyscan \(box.port.map { "-p \($0) " } ?? "")\(hostName) >> \(knownHosts.path)"
        )
        return GIT_ECERTIFICATE.rawValue
    case .changed:
        git_error_set_str(
            Int32(GIT_ERROR_SSH.rawValue),
            "the host key of \(name) (\(fingerprint)) does not match \(knownHosts.path): "
                + "refusing to connect, the server may be impersonated")
        return GIT_ECERTIFICATE.rawValue
    }
}
