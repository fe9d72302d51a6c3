import CGit2
import Foundation

/// What the credential callback reads; asked once per fetch, so wrong credentials fail instead of looping.
final class CredentialPayload {
    let credentials: GitCredentials
    var attempts = 0

    init(credentials: GitCredentials) {
        self.credentials = credentials
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
        return git_credential_ssh_key_new(out, urlUser ?? "git", access(publicKey, R_OK) == 0 ? publicKey : nil, key,
                                          credentials.sshKeyPassphrase)
    }
    let wanted = allows(GIT_CREDENTIAL_SSH_KEY) ? "an ssh key (--repo-ssh-key)" : "a token (TIDEMARK_GIT_TOKEN)"
    git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), "the remote asks for credentials and none were given: set \(wanted)")
    return GIT_EAUTH.rawValue
}
