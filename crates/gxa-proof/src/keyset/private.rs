//! Files only their owner may read: private keys (0600) and the directories holding them
//! (0700), and the check that refuses a key file others can access.

use std::io::Write as _;
use std::path::Path;

/// Creates `dir` and its missing parents; on Unix the directories created get mode 0700 (an
/// existing directory keeps its mode).
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes `content` to `path` (created or truncated); on Unix with mode 0600, also when the
/// file existed with a wider mode.
pub fn write(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(content)?;
    file.sync_all()
}

/// The permission bits of `path` when others may access it or its group may write it (a key
/// must then not be used), `None` when only owner and group may read it. Always `None` where
/// there are no Unix permissions.
pub(crate) fn exposed_mode(path: &Path) -> std::io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o7777;
        Ok((mode & 0o027 != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn private_files_and_directories() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_dir(&nested).unwrap();
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        let key = nested.join("k.pem");
        std::fs::write(&key, "old").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(exposed_mode(&key).unwrap(), Some(0o644));
        write(&key, b"new").unwrap();
        assert_eq!(mode(&key), 0o600);
        assert_eq!(std::fs::read(&key).unwrap(), b"new");
        assert_eq!(exposed_mode(&key).unwrap(), None);
        for (bits, exposed) in [(0o640, false), (0o660, true), (0o604, true), (0o400, false)] {
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(bits)).unwrap();
            assert_eq!(exposed_mode(&key).unwrap().is_some(), exposed, "{bits:o}");
        }
    }
}
