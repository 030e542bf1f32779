//! The arguments inside `#[filch::main(...)]` and `#[filch::test(...)]`.
//!
//! The grammar is a comma-separated list of `key = value` pairs; today the only key is
//! `worker_threads`, whose value is a positive integer literal. Every other shape is an error
//! spanned on the offending tokens, so the compiler points at exactly what to change.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Meta, Token};

use crate::entry::Entry;

/// The only key the attributes accept.
const WORKER_THREADS: &str = "worker_threads";

/// The runtime settings an attribute asked for.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RuntimeArgs {
    /// `worker_threads = N`, if it was given.
    pub(crate) worker_threads: Option<usize>,
}

impl RuntimeArgs {
    /// Parses the tokens between the attribute's parentheses (empty when there are none).
    pub(crate) fn parse(entry: Entry, args: TokenStream) -> syn::Result<Self> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
        let mut parsed = RuntimeArgs::default();
        for meta in metas {
            let count = worker_threads_value(entry, &meta)?;
            if parsed.worker_threads.is_some() {
                return Err(syn::Error::new_spanned(
                    &meta,
                    format!("{entry}: `{WORKER_THREADS}` is given twice; keep one"),
                ));
            }
            parsed.worker_threads = Some(count);
        }
        Ok(parsed)
    }
}

/// Checks that `meta` is `worker_threads = N` and returns `N`.
fn worker_threads_value(entry: Entry, meta: &Meta) -> syn::Result<usize> {
    let key_is_known = meta.path().is_ident(WORKER_THREADS);
    match meta {
        Meta::NameValue(pair) if key_is_known => positive_int(entry, &pair.value),
        Meta::Path(_) if key_is_known => Err(syn::Error::new_spanned(
            meta,
            format!("{entry}: `{WORKER_THREADS}` needs a value, e.g. `{WORKER_THREADS} = 4`"),
        )),
        Meta::List(_) if key_is_known => Err(syn::Error::new_spanned(
            meta,
            format!("{entry}: write `{WORKER_THREADS} = N`, e.g. `{WORKER_THREADS} = 4`"),
        )),
        _ => Err(syn::Error::new_spanned(
            meta.path(),
            format!(
                "{entry}: unknown argument `{}`; the only argument is `{WORKER_THREADS} = N`",
                path_text(meta.path())
            ),
        )),
    }
}

/// The value of `worker_threads`: an integer literal of at least 1.
fn positive_int(entry: Entry, value: &Expr) -> syn::Result<usize> {
    let Expr::Lit(ExprLit {
        lit: Lit::Int(int), ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(
            value,
            format!(
                "{entry}: `{WORKER_THREADS}` takes an integer literal, e.g. `{WORKER_THREADS} = 4`"
            ),
        ));
    };
    let digits = int.base10_digits();
    if digits.starts_with('-') || digits.bytes().all(|digit| digit == b'0') {
        return Err(syn::Error::new_spanned(
            int,
            format!(
                "{entry}: `{WORKER_THREADS}` must be at least 1: a runtime without workers \
                 could never run a spawned task"
            ),
        ));
    }
    int.base10_parse().map_err(|_| {
        syn::Error::new_spanned(
            int,
            format!("{entry}: `{WORKER_THREADS}` = {digits} does not fit in a `usize`"),
        )
    })
}

/// `a::b` as the user wrote it, for messages.
fn path_text(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse(entry: Entry, args: TokenStream) -> Result<RuntimeArgs, String> {
        RuntimeArgs::parse(entry, args).map_err(|e| e.to_string())
    }

    #[test]
    fn no_arguments_means_defaults() {
        assert_eq!(parse(Entry::Main, quote!()), Ok(RuntimeArgs::default()));
    }

    #[test]
    fn worker_threads_is_read() {
        let args = parse(Entry::Test, quote!(worker_threads = 3)).unwrap();
        assert_eq!(args.worker_threads, Some(3));
        let args = parse(Entry::Main, quote!(worker_threads = 8usize,)).unwrap();
        assert_eq!(args.worker_threads, Some(8));
    }

    #[test]
    fn fewer_than_one_worker_is_refused() {
        for value in [quote!(0), quote!(00), quote!(-1), quote!(-0)] {
            let err = parse(Entry::Main, quote!(worker_threads = #value)).unwrap_err();
            assert_eq!(
                err,
                "#[filch::main]: `worker_threads` must be at least 1: a runtime without workers \
                 could never run a spawned task",
                "value {value}"
            );
        }
    }

    #[test]
    fn non_literal_values_are_refused() {
        for value in [quote!("4"), quote!(N), quote!(2 + 2), quote!(4.0)] {
            let err = parse(Entry::Test, quote!(worker_threads = #value)).unwrap_err();
            assert_eq!(
                err,
                "#[filch::test]: `worker_threads` takes an integer literal, e.g. `worker_threads = 4`",
                "value {value}"
            );
        }
    }

    #[test]
    fn a_count_too_large_for_usize_is_refused() {
        let err = parse(
            Entry::Main,
            quote!(worker_threads = 99999999999999999999999),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "#[filch::main]: `worker_threads` = 99999999999999999999999 does not fit in a `usize`"
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = parse(Entry::Main, quote!(flavor = "current_thread")).unwrap_err();
        assert_eq!(
            err,
            "#[filch::main]: unknown argument `flavor`; the only argument is `worker_threads = N`"
        );
        let err = parse(Entry::Test, quote!(rt::workers)).unwrap_err();
        assert!(err.contains("unknown argument `rt::workers`"), "{err}");
    }

    #[test]
    fn key_without_value_asks_for_one() {
        let err = parse(Entry::Main, quote!(worker_threads)).unwrap_err();
        assert_eq!(
            err,
            "#[filch::main]: `worker_threads` needs a value, e.g. `worker_threads = 4`"
        );
        let err = parse(Entry::Main, quote!(worker_threads(4))).unwrap_err();
        assert_eq!(
            err,
            "#[filch::main]: write `worker_threads = N`, e.g. `worker_threads = 4`"
        );
    }

    #[test]
    fn duplicate_key_is_refused() {
        let err = parse(Entry::Test, quote!(worker_threads = 1, worker_threads = 2)).unwrap_err();
        assert_eq!(
            err,
            "#[filch::test]: `worker_threads` is given twice; keep one"
        );
    }

    #[test]
    fn malformed_lists_are_syntax_errors() {
        assert!(parse(Entry::Main, quote!(worker_threads = 1 2)).is_err());
        assert!(parse(Entry::Main, quote!(= 1)).is_err());
    }
}
