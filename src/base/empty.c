/* Placeholder translation unit for a library directory that has no sources yet. */
typedef int pj_empty_translation_unit;
