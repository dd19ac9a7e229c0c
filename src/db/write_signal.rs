//! PostgreSQL announces every committed write to the tables statistics are
//! computed from (a trigger notifies the channel `familiebro_writes`, see the
//! `write_signal` migration). Each instance listens, so figures it cached end
//! when any instance writes, not only itself.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

const CHANNEL: &str = "familiebro_writes";
/// How often pending notifications are read: the longest a write through
/// another instance can stay unseen by this one's statistics.
pub const POLL: Duration = Duration::from_millis(50);
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// What the listener tells its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Listening (again): writes made while not listening are unknown.
    Listening,
    /// At least one transaction wrote.
    Wrote,
    /// Still listening; nothing was written.
    Quiet,
    /// The connection is lost: nothing is known until `Listening`.
    Lost,
}

/// Listens on its own connection until `tell` returns false (its owner is
/// gone); reconnects after a lost connection. Blocks: run it on its own thread.
pub fn listen(url: &str, mut tell: impl FnMut(Signal) -> bool) {
    loop {
        let listening = PgConnection::establish(url)
            .map_err(|error| error.to_string())
            .and_then(|mut connection| {
                connection
                    .batch_execute(&format!("LISTEN {CHANNEL}"))
                    .map_err(|error| error.to_string())?;
                Ok(connection)
            });
        match listening {
            Ok(mut connection) => {
                if !tell(Signal::Listening) {
                    return;
                }
                loop {
                    std::thread::sleep(POLL);
                    let mut wrote = false;
                    let mut lost = None;
                    for notification in connection.notifications_iter() {
                        match notification {
                            Ok(_) => wrote = true,
                            Err(error) => {
                                lost = Some(error);
                                break;
                            }
                        }
                    }
                    if let Some(error) = lost {
                        log::warn!("lost the write-signal connection: {error}");
                        if !tell(Signal::Lost) {
                            return;
                        }
                        break;
                    }
                    if !tell(if wrote { Signal::Wrote } else { Signal::Quiet }) {
                        return;
                    }
                }
            }
            Err(error) => {
                log::debug!("cannot listen for writes yet: {error}");
                if !tell(Signal::Lost) {
                    return;
                }
            }
        }
        std::thread::sleep(RECONNECT_AFTER);
    }
}
