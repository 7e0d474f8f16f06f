//! Prints what whosaid-ingest makes of a SOURCE (folder, file or URL):
//! `cargo run -p whosaid-ingest --example ingest -- tests/data/news_article.html`
fn main() {
    let opts = whosaid_ingest::IngestOptions::default();
    for spec in std::env::args().skip(1) {
        let source = match whosaid_ingest::open(&spec, &opts) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                continue;
            }
        };
        for item in source {
            match item {
                Ok(item) => {
                    let a = &item.article;
                    println!("== {} [{}]", a.id, item.origin);
                    println!(
                        "title: {:?}\npublished: {:?}\nurl: {:?}",
                        a.title, a.published, a.url
                    );
                    println!("{}\n", a.text);
                    for w in &item.warnings {
                        eprintln!("warning: {w}");
                    }
                }
                Err(e) => eprintln!("error: {e}"),
            }
        }
    }
}
