//! Exporting statements (with speaker, article and dates) as JSON Lines, CSV or — with
//! the `parquet` feature — Parquet. Works on any [`Store`] through
//! [`Store::for_each_statement`], so rows stream page by page. Does not choose files or
//! formats for the user (the binary does).

use std::io::Write;

use serde::Serialize;

use crate::api::{SearchQuery, StatementHit, Store};
use crate::error::{Result, StoreError};

/// One exported row: a flat record, the same columns in every format.
#[derive(Debug, Clone, Serialize)]
pub struct ExportRow {
    pub statement_id: i64,
    pub kind: &'static str,
    pub text: String,
    pub start: u64,
    pub end: u64,
    pub cue: Option<String>,
    pub speaker: Option<String>,
    pub speaker_id: Option<i64>,
    pub speaker_role: Option<String>,
    pub said_on: Option<String>,
    pub date: Option<String>,
    pub confidence: f32,
    pub article_id: i64,
    pub article_ext_id: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub quote_id: Option<i64>,
    pub outlets_with_quote: u64,
}

impl From<StatementHit> for ExportRow {
    fn from(h: StatementHit) -> Self {
        let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        ExportRow {
            statement_id: h.statement_id,
            kind: h.kind.as_str(),
            text: h.text,
            start: h.start as u64,
            end: h.end as u64,
            cue: h.cue,
            speaker: h.speaker,
            speaker_id: h.speaker_id,
            speaker_role: h.speaker_role,
            said_on: d(h.said_on),
            date: d(h.date),
            confidence: h.confidence,
            article_id: h.article_id,
            article_ext_id: h.article_ext_id,
            url: h.url,
            title: h.title,
            outlet: h.outlet,
            published: d(h.published),
            quote_id: h.quote_id,
            outlets_with_quote: h.outlets_with_quote as u64,
        }
    }
}

fn io_err(target: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Export {
        target: target.to_string(),
        detail: e.to_string(),
    }
}

/// Writes matching statements as JSON Lines; returns how many. `target` names the
/// destination in errors.
pub fn write_jsonl(
    store: &dyn Store,
    query: &SearchQuery,
    out: &mut dyn Write,
    target: &str,
) -> Result<usize> {
    let mut n = 0;
    store.for_each_statement(query, &mut |hit| {
        let row = ExportRow::from(hit);
        serde_json::to_writer(&mut *out, &row).map_err(|e| io_err(target, e))?;
        out.write_all(b"\n").map_err(|e| io_err(target, e))?;
        n += 1;
        Ok(())
    })?;
    out.flush().map_err(|e| io_err(target, e))?;
    Ok(n)
}

/// Writes matching statements as CSV with a header row; returns how many.
pub fn write_csv(
    store: &dyn Store,
    query: &SearchQuery,
    out: &mut dyn Write,
    target: &str,
) -> Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    let mut n = 0;
    store.for_each_statement(query, &mut |hit| {
        w.serialize(ExportRow::from(hit))
            .map_err(|e| io_err(target, e))?;
        n += 1;
        Ok(())
    })?;
    if n == 0 {
        // serde writes the header with the first row; an empty export still gets one.
        w.write_record(HEADER).map_err(|e| io_err(target, e))?;
    }
    w.flush().map_err(|e| io_err(target, e))?;
    Ok(n)
}

/// Column names, in order, in every format.
pub const HEADER: [&str; 20] = [
    "statement_id",
    "kind",
    "text",
    "start",
    "end",
    "cue",
    "speaker",
    "speaker_id",
    "speaker_role",
    "said_on",
    "date",
    "confidence",
    "article_id",
    "article_ext_id",
    "url",
    "title",
    "outlet",
    "published",
    "quote_id",
    "outlets_with_quote",
];

#[cfg(feature = "parquet")]
pub use parquet_export::write_parquet;

#[cfg(feature = "parquet")]
mod parquet_export {
    //! Parquet through the `parquet` crate's column writers (no Arrow: much less to
    //! compile). Rows are buffered into row groups of 64k and written column by column.

    use std::sync::Arc;

    use parquet::basic::Compression;
    use parquet::column::writer::ColumnWriter;
    use parquet::data_type::ByteArray;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    use super::*;

    const SCHEMA: &str = "message statement {
        REQUIRED INT64 statement_id;
        REQUIRED BYTE_ARRAY kind (UTF8);
        REQUIRED BYTE_ARRAY text (UTF8);
        REQUIRED INT64 start;
        REQUIRED INT64 end;
        OPTIONAL BYTE_ARRAY cue (UTF8);
        OPTIONAL BYTE_ARRAY speaker (UTF8);
        OPTIONAL INT64 speaker_id;
        OPTIONAL BYTE_ARRAY speaker_role (UTF8);
        OPTIONAL INT32 said_on (DATE);
        OPTIONAL INT32 date (DATE);
        REQUIRED FLOAT confidence;
        REQUIRED INT64 article_id;
        REQUIRED BYTE_ARRAY article_ext_id (UTF8);
        OPTIONAL BYTE_ARRAY url (UTF8);
        OPTIONAL BYTE_ARRAY title (UTF8);
        OPTIONAL BYTE_ARRAY outlet (UTF8);
        OPTIONAL INT32 published (DATE);
        OPTIONAL INT64 quote_id;
        REQUIRED INT64 outlets_with_quote;
    }";

    const ROW_GROUP: usize = 65_536;

    fn days(d: Option<chrono::NaiveDate>) -> Option<i32> {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
        d.map(|d| (d - epoch).num_days() as i32)
    }

    /// Writes matching statements as Parquet (snappy); returns how many.
    pub fn write_parquet<W: std::io::Write + Send>(
        store: &dyn Store,
        query: &SearchQuery,
        out: W,
        target: &str,
    ) -> Result<usize> {
        let schema = Arc::new(parse_message_type(SCHEMA).map_err(|e| io_err(target, e))?);
        let props = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .build(),
        );
        let mut writer =
            SerializedFileWriter::new(out, schema, props).map_err(|e| io_err(target, e))?;
        let mut buf: Vec<StatementHit> = Vec::with_capacity(ROW_GROUP);
        let mut n = 0;
        store.for_each_statement(query, &mut |hit| {
            buf.push(hit);
            n += 1;
            if buf.len() >= ROW_GROUP {
                write_group(&mut writer, &buf).map_err(|e| io_err(target, e))?;
                buf.clear();
            }
            Ok(())
        })?;
        if !buf.is_empty() || n == 0 {
            write_group(&mut writer, &buf).map_err(|e| io_err(target, e))?;
        }
        writer.close().map_err(|e| io_err(target, e))?;
        Ok(n)
    }

    enum Col<'a> {
        I64(Vec<Option<i64>>),
        I32(Vec<Option<i32>>),
        F32(Vec<Option<f32>>),
        Str(Vec<Option<&'a str>>),
    }

    fn columns(rows: &[StatementHit]) -> Vec<Col<'_>> {
        let i = |f: fn(&StatementHit) -> Option<i64>| Col::I64(rows.iter().map(f).collect());
        let s = |f: for<'r> fn(&'r StatementHit) -> Option<&'r str>| {
            Col::Str(rows.iter().map(f).collect())
        };
        let d = |f: fn(&StatementHit) -> Option<chrono::NaiveDate>| {
            Col::I32(rows.iter().map(|r| days(f(r))).collect())
        };
        vec![
            i(|r| Some(r.statement_id)),
            s(|r| Some(r.kind.as_str())),
            s(|r| Some(r.text.as_str())),
            i(|r| Some(r.start as i64)),
            i(|r| Some(r.end as i64)),
            s(|r| r.cue.as_deref()),
            s(|r| r.speaker.as_deref()),
            i(|r| r.speaker_id),
            s(|r| r.speaker_role.as_deref()),
            d(|r| r.said_on),
            d(|r| r.date),
            Col::F32(rows.iter().map(|r| Some(r.confidence)).collect()),
            i(|r| Some(r.article_id)),
            s(|r| Some(r.article_ext_id.as_str())),
            s(|r| r.url.as_deref()),
            s(|r| r.title.as_deref()),
            s(|r| r.outlet.as_deref()),
            d(|r| r.published),
            i(|r| r.quote_id),
            i(|r| Some(r.outlets_with_quote as i64)),
        ]
    }

    fn split<T: Clone>(vals: &[Option<T>]) -> (Vec<T>, Vec<i16>) {
        let defs = vals.iter().map(|v| i16::from(v.is_some())).collect();
        (vals.iter().flatten().cloned().collect(), defs)
    }

    fn write_group<W: std::io::Write + Send>(
        writer: &mut SerializedFileWriter<W>,
        rows: &[StatementHit],
    ) -> parquet::errors::Result<()> {
        let mut group = writer.next_row_group()?;
        for col in columns(rows) {
            let Some(mut cw) = group.next_column()? else {
                break;
            };
            match (cw.untyped(), col) {
                (ColumnWriter::Int64ColumnWriter(w), Col::I64(v)) => {
                    let (vals, defs) = split(&v);
                    w.write_batch(&vals, Some(&defs), None)?;
                }
                (ColumnWriter::Int32ColumnWriter(w), Col::I32(v)) => {
                    let (vals, defs) = split(&v);
                    w.write_batch(&vals, Some(&defs), None)?;
                }
                (ColumnWriter::FloatColumnWriter(w), Col::F32(v)) => {
                    let (vals, defs) = split(&v);
                    w.write_batch(&vals, Some(&defs), None)?;
                }
                (ColumnWriter::ByteArrayColumnWriter(w), Col::Str(v)) => {
                    let defs: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                    let vals: Vec<ByteArray> =
                        v.iter().flatten().map(|s| ByteArray::from(*s)).collect();
                    w.write_batch(&vals, Some(&defs), None)?;
                }
                _ => {
                    return Err(parquet::errors::ParquetError::General(
                        "export column does not match the Parquet schema".into(),
                    ))
                }
            }
            cw.close()?;
        }
        group.close()?;
        Ok(())
    }
}
