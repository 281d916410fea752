//! How banter-local is told what to do: the command line, the data folder,
//! and the faults a test may inject.

pub mod cli;
pub mod data_dir;
pub mod faults;
