//! Baseline B2: the statements of `GET /api/v1/families/{id}` (read the family,
//! append its audit event) through diesel in a plain loop, without HTTP.
//! Usage: db_ceiling <database-url> <family-id> <seconds> <threads>
//! Prints requests per second.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use familiebro::db::audit::{self, AuditRow};
use familiebro::db::families;
use familiebro::db::{self as database, Database, DatabaseUrl};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, family, seconds, threads] = args.as_slice() else {
        eprintln!("usage: db_ceiling <database-url> <family-id> <seconds> <threads>");
        std::process::exit(2);
    };
    let url = DatabaseUrl::parse(url).expect("database url");
    let seconds: u64 = seconds.parse().expect("seconds");
    let threads: usize = threads.parse().expect("threads");
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (url, family, done, stop) =
                (url.clone(), family.clone(), done.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut connection = Database::connect_directly(&url).expect("connect");
                while !stop.load(Ordering::Relaxed) {
                    families::find(&mut connection, &family)
                        .expect("read")
                        .expect("family exists");
                    let row = AuditRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        occurred_at: database::now(),
                        actor: "bench".into(),
                        role: "housing_social_worker".into(),
                        organisation: None,
                        action: "GET /api/v1/families/{id}".into(),
                        resource_type: "family".into(),
                        resource_id: Some(family.clone()),
                        family_id: Some(family.clone()),
                        outcome: "allowed".into(),
                        request_id: None,
                        area_id: None,
                    };
                    audit::insert(&mut connection, &row).expect("audit");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    for worker in workers {
        let _ = worker.join();
    }
    println!("{:.1}", done.load(Ordering::Relaxed) as f64 / elapsed);
}
