//! Binding of composite type statements (see [`crate::composites`]): `CREATE TYPE name AS
//! (fields)` and the `ALTER TYPE` forms the hand parser reads (attribute actions, RENAME
//! ATTRIBUTE, SET SCHEMA, which also moves an enum type). They run in `exec/user_types.rs`.

use sqlparser::ast::{self, ObjectName};

use super::{ident_name, Binder};
use crate::composites::CompositeField;
use crate::error::{code, SqlError, SqlResult};
use crate::parse::{AttributeAction, Piece, TypeAlteration};
use crate::plan::{CompositeAlteration, Plan, TypeCommand};
use crate::types::DataType;

impl Binder<'_> {
    /// `CREATE TYPE name AS (field type [COLLATE c], ...)`.
    pub(super) fn bind_create_composite(
        &mut self,
        name: &ObjectName,
        attributes: &[ast::UserDefinedTypeCompositeAttributeDef],
    ) -> SqlResult<Plan> {
        let (name, _) = self.create_name_in(name, false)?;
        let mut fields: Vec<CompositeField> = Vec::new();
        for attribute in attributes {
            let field = ident_name(&attribute.name);
            if fields.iter().any(|f| f.name == field) {
                return Err(SqlError::new(
                    code::DUPLICATE_COLUMN,
                    format!("column \"{field}\" specified more than once"),
                ));
            }
            let ty = self.data_type(&attribute.data_type)?;
            let collation = attribute.collation.as_ref().map(ToString::to_string);
            self.check_collation(ty, collation.as_deref())?;
            fields.push(CompositeField { name: field, ty });
        }
        Ok(Plan::Type(TypeCommand::CreateComposite { name, fields }))
    }

    /// `ALTER TYPE name` with attribute actions, `RENAME ATTRIBUTE` or `SET SCHEMA`.
    pub fn bind_alter_type(&mut self, name: &Piece, action: &TypeAlteration) -> SqlResult<Plan> {
        let object = self.piece_name(name)?;
        if let TypeAlteration::SetSchema(schema) = action {
            let key = match (self.enum_named(&object)?, self.composite_named(&object)?) {
                (Some(def), _) => def.name.clone(),
                (None, Some(def)) => def.name.clone(),
                (None, None) => {
                    return Err(SqlError::new(
                        code::UNDEFINED_OBJECT,
                        format!("type \"{}\" does not exist", name.0),
                    ))
                }
            };
            self.check_schema(schema, None)?;
            self.require_create(schema, None)?;
            let to = crate::catalog::qualify(schema, crate::catalog::relname(&key));
            return Ok(Plan::Type(TypeCommand::Rename { name: key, to }));
        }
        // Attributes are a relation's: a name that is no composite type is no relation.
        let Some(def) = self.composite_named(&object)? else {
            return Err(SqlError::new(
                code::UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", name.0),
            ));
        };
        let name = def.name.clone();
        Ok(Plan::Type(match action {
            TypeAlteration::RenameAttribute { from, to } => TypeCommand::RenameAttribute {
                name,
                from: from.clone(),
                to: to.clone(),
            },
            TypeAlteration::Attributes(actions) => {
                let mut bound = Vec::with_capacity(actions.len());
                for action in actions {
                    bound.push(match action {
                        AttributeAction::Add {
                            name,
                            ty,
                            collation,
                        } => CompositeAlteration::Add {
                            name: name.clone(),
                            ty: self.attribute_type(ty, collation.as_deref())?,
                        },
                        AttributeAction::Drop { name, if_exists } => CompositeAlteration::Drop {
                            name: name.clone(),
                            if_exists: *if_exists,
                        },
                        AttributeAction::Alter {
                            name,
                            ty,
                            collation,
                        } => CompositeAlteration::Alter {
                            name: name.clone(),
                            ty: self.attribute_type(ty, collation.as_deref())?,
                        },
                    });
                }
                TypeCommand::AlterComposite {
                    name,
                    actions: bound,
                }
            }
            TypeAlteration::SetSchema(_) => unreachable!("bound above"),
        }))
    }

    /// An attribute's type as written, with its collation checked.
    fn attribute_type(&self, ty: &Piece, collation: Option<&str>) -> SqlResult<DataType> {
        let written = crate::parse::parse_data_type(&ty.0)?;
        let ty = self.data_type(&written).map_err(SqlError::unplaced)?;
        self.check_collation(ty, collation)?;
        Ok(ty)
    }
}
