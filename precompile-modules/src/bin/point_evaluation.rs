//! The point_evaluation precompile as a standalone module (the ABI is in the crate docs).
#![no_std]
#![no_main]

precompile_modules::export_precompile!(PointEvaluation);
